package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** JSON values to column values: exact or refused, never rounded or cut. */
class ConversionsTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonValueReader JSON = new JsonValueReader();

    private static ColumnType type(String typname, int typmod, String sql) {
        return ColumnType.of(typname, sql.endsWith("[]"), typmod, sql);
    }

    private static ColumnType numeric(int precision, int scale) {
        return type("numeric", ((precision << 16) | scale) + 4, "numeric(" + precision + "," + scale + ")");
    }

    private static JsonNode json(String text) {
        return JSON.read(text.getBytes());
    }

    @Property
    void aDecimalWithinPrecisionAndScaleIsKeptExactly(@ForAll @LongRange(min = -99_999_999_99L, max = 99_999_999_99L) long unscaled,
            @ForAll @IntRange(min = 0, max = 2) int scale) {
        BigDecimal value = BigDecimal.valueOf(unscaled, scale + 2).setScale(scale, java.math.RoundingMode.DOWN);
        Object converted = Conversions.convert(numeric(12, 2), json(value.toPlainString()));

        assertThat((BigDecimal) converted).isEqualByComparingTo(value);
        assertThat(new BigDecimal(Conversions.sqlText(converted))).isEqualByComparingTo(value);
    }

    @Property
    void aDecimalWithMoreScaleThanTheColumnIsRefusedNeverRounded(@ForAll @LongRange(min = 1, max = 999_999) long digits) {
        BigDecimal value = BigDecimal.valueOf(digits * 10 + 1, 3); // always a non-zero third decimal

        assertThatThrownBy(() -> Conversions.convert(numeric(10, 2), json(value.toPlainString())))
                .isInstanceOf(ValueRefused.class).hasMessageEndingWith("decimal places; numeric(10,2) takes 2 (no rounding)");
    }

    @Test
    void trailingZerosBeyondTheScaleAreNoRoundingAndAnExponentIsANumber() {
        assertThat(Conversions.convert(numeric(10, 2), json("1.2300"))).isEqualTo(new BigDecimal("1.23"));
        assertThat(Conversions.sqlText(Conversions.convert(numeric(10, 2), json("1e3")))).isEqualTo("1000");
        assertThat(Conversions.convert(numeric(10, 2), NODES.stringNode("-0.50"))).isEqualTo(new BigDecimal("-0.50"));
        assertThat(Conversions.convert(type("numeric", -1, "numeric"), NODES.numberNode(0.1d))).isEqualTo(new BigDecimal("0.1"));
        assertThatThrownBy(() -> Conversions.convert(numeric(4, 2), json("100"))).hasMessage(
                "has 3 digits before the point; numeric(4,2) takes 2");
        assertThatThrownBy(() -> Conversions.convert(type("numeric", -1, "numeric"), json("1e999999999"))).hasMessage(
                "has 1000000000 digits before the point; numeric takes 131072");
        assertThatThrownBy(() -> Conversions.convert(numeric(10, 2), json("1e-999999999"))).hasMessage(
                "has 999999999 decimal places; numeric(10,2) takes 2 (no rounding)");
    }

    @Property
    void integersConvertWithinTheirRangeOnly(@ForAll long value) {
        ColumnType int4 = type("int4", -1, "integer");
        boolean fits = value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
        if (fits) {
            assertThat(Conversions.convert(int4, NODES.numberNode(value))).isEqualTo(value);
            assertThat(Conversions.convert(int4, NODES.stringNode(Long.toString(value)))).isEqualTo(value);
        } else {
            assertThatThrownBy(() -> Conversions.convert(int4, NODES.numberNode(value))).hasMessageContaining("out of range for integer");
        }
    }

    @Test
    void integersRefuseFractionsBigNumbersAndText() {
        ColumnType int8 = type("int8", -1, "bigint");
        assertThatThrownBy(() -> Conversions.convert(int8, NODES.numberNode(new BigInteger("9223372036854775808"))))
                .hasMessage("is out of range for bigint");
        assertThatThrownBy(() -> Conversions.convert(int8, json("1.0"))).hasMessage("must be an integer for bigint, was a fraction");
        assertThatThrownBy(() -> Conversions.convert(int8, NODES.stringNode("12a"))).hasMessage(
                "must be an integer for bigint, was the text \"12a\"");
        assertThatThrownBy(() -> Conversions.convert(int8, NODES.booleanNode(true))).hasMessage(
                "must be an integer for bigint, was a boolean");
    }

    @Test
    void timesAreIsoTextOrEpochMillisStoredToTheMicrosecond() {
        ColumnType tstz = type("timestamptz", -1, "timestamp with time zone");
        assertThat(Conversions.convert(tstz, NODES.stringNode("2026-01-01T12:00:00.1234567+01:00")))
                .isEqualTo(Instant.parse("2026-01-01T11:00:00.123457Z"));
        assertThat(Conversions.convert(tstz, NODES.numberNode(0L))).isEqualTo(Instant.EPOCH);
        assertThat(Conversions.convert(tstz, NODES.stringNode("86400000"))).isEqualTo(Instant.parse("1970-01-02T00:00:00Z"));
        assertThat(Conversions.convert(type("timestamp", -1, "timestamp without time zone"), NODES.stringNode("2026-01-01T12:00:00+02:00")))
                .isEqualTo(LocalDateTime.parse("2026-01-01T10:00:00"));
        assertThat(Conversions.convert(type("date", -1, "date"), NODES.numberNode(-1L))).isEqualTo(LocalDate.parse("1969-12-31"));
        assertThatThrownBy(() -> Conversions.convert(tstz, NODES.stringNode("+10000-01-01T00:00:00Z"))).isInstanceOf(ValueRefused.class);
        assertThatThrownBy(() -> Conversions.convert(tstz, NODES.numberNode(253_402_300_800_000L)))
                .hasMessage("is in year 10000; a job takes years 1 to 9999");
    }

    @Test
    void textIsBoundedByItsLengthInCharactersAndUuidIsStrict() {
        ColumnType varchar = type("varchar", 3 + 4, "character varying(3)");
        assertThat(Conversions.convert(varchar, NODES.stringNode("ééé"))).isEqualTo("ééé");
        assertThat(Conversions.convert(varchar, NODES.stringNode("😀😀😀"))).isEqualTo("😀😀😀");
        assertThat(Conversions.convert(varchar, NODES.numberNode(12))).isEqualTo("12");
        assertThatThrownBy(() -> Conversions.convert(varchar, NODES.stringNode("abcd"))).hasMessage(
                "has 4 characters; character varying(3) holds 3");
        assertThat(Conversions.convert(type("uuid", -1, "uuid"), NODES.stringNode("6F9619FF-8B86-D011-B42D-00C04FC964FF")))
                .isEqualTo(UUID.fromString("6f9619ff-8b86-d011-b42d-00c04fc964ff"));
        assertThatThrownBy(() -> Conversions.convert(type("uuid", -1, "uuid"), NODES.stringNode("1-1-1-1-1")))
                .isInstanceOf(ValueRefused.class);
    }

    @Test
    void arraysBecomeTheirLiteralsWithEveryElementQuoted() {
        Object array = Conversions.convert(type("text", -1, "text[]"), json("[\"a\\\\b\", null, \"c\\\"d\", \"{x,y}\"]"));
        assertThat(Conversions.sqlText(array)).isEqualTo("{\"a\\\\b\",NULL,\"c\\\"d\",\"{x,y}\"}");
        Object bytes = Conversions.convert(type("bytea", -1, "bytea[]"), json("[\"AAE=\"]"));
        assertThat(Conversions.sqlText(bytes)).isEqualTo("{\"\\\\x0001\"}");
        assertThat(Conversions.sqlText(Conversions.convert(type("bytea", -1, "bytea"), NODES.binaryNode(new byte[] {1, 2}))))
                .isEqualTo("\\x0102");
    }

    @Test
    void numericallyEqualKeysAreOneKey() {
        assertThat(Conversions.keyIdentity(new BigDecimal("1.50"))).isEqualTo(Conversions.keyIdentity(new BigDecimal("1.5")));
        assertThat(Conversions.keyIdentity(new byte[] {1})).isEqualTo(Conversions.keyIdentity(new byte[] {1}));
        assertThat(List.of(Conversions.keyIdentity(new BigDecimal("0.00")))).isEqualTo(List.of(BigDecimal.ZERO));
        assertThat(Arrays.asList(Conversions.keyIdentity(null))).containsOnlyNulls();
    }
}
