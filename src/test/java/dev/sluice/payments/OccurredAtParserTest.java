package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written {@code occurredAt} path against the rule as it was first written:
 * {@code Instant.parse}, at most 64 characters, years 1–9999. Same accept/refuse decision and the
 * same instant for every text.
 */
class OccurredAtParserTest {

    /** The parser's rule before the fast path, verbatim. */
    private static Instant asBefore(String text) {
        if (text == null || text.length() > 64) {
            return null;
        }
        try {
            Instant instant = Instant.parse(text);
            return instant.isBefore(Instant.parse("0001-01-01T00:00:00Z"))
                    || instant.isAfter(Instant.parse("9999-12-31T23:59:59.999999Z")) ? null : instant;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant common(String text) {
        return OccurredAtParser.common(text.toCharArray(), 0, text.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-29T10:00:00Z", "2026-11-29T10:00:00.1Z", "2026-11-29T10:00:00.123456789Z",
        "2026-11-29T11:00:00+01:00", "2026-11-29T05:30:00-04:30", "2024-02-29T00:00:00Z", "2026-11-29t10:00:00z",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2026-11-29T10:00:00+18:00", "2026-11-29T10:00:00-00:00"})
    void readsTheCommonShapesWithoutInstantParse(String text) {
        assertThat(common(text)).isNotNull().isEqualTo(Instant.parse(text));
        assertThat(OccurredAtParser.parse(text)).isEqualTo(asBefore(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-29T24:00:00Z", "2026-12-31T23:59:60Z", "2026-11-29T10:00:00.Z",
        "2026-11-29T10:00:00+01:00:30", "2023-02-29T00:00:00Z", "2026-11-29T10:00:00.1234567891Z",
        "2026-11-29T10:00:00+18:01", "2026-11-29T10:00:00+01:60", "0000-01-01T00:00:00Z", "+2026-11-29T10:00:00Z",
        "2026-11-29T10:00:00", "2026-11-29 10:00:00Z"})
    void leavesEveryUnusualShapeToInstantParseAndDecidesAsItDid(String text) {
        assertThat(common(text)).isNull();
        assertThat(OccurredAtParser.parse(text)).isEqualTo(asBefore(text));
    }

    @Property(tries = 3000)
    void decidesLikeInstantParseOnTextsNearTheCommonShape(@ForAll("nearlyInstants") String text) {
        assertThat(OccurredAtParser.parse(text)).as(text).isEqualTo(asBefore(text));
        Instant fast = common(text);
        if (fast != null) {
            assertThat(fast).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Property(tries = 3000)
    void decidesLikeInstantParseOnArbitraryTextOfItsAlphabet(@ForAll("scrambled") String text) {
        assertThat(OccurredAtParser.parse(text)).as(text).isEqualTo(asBefore(text));
    }

    @Property(tries = 2000)
    void readsBackEveryInstantOfYearsOneToNineThousandNineHundredNinetyNine(
            @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long epochSecond,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nano,
            @ForAll @IntRange(min = -18 * 60, max = 18 * 60) int offsetMinutes) {
        Instant instant = Instant.ofEpochSecond(epochSecond, nano);
        String text = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60)));
        Instant expected = instant.isAfter(Instant.parse("9999-12-31T23:59:59.999999Z")) ? null : instant;
        assertThat(OccurredAtParser.parse(text)).as(text).isEqualTo(asBefore(text)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<String> nearlyInstants() {
        Arbitrary<String> year = Arbitraries.of("0000", "0001", "1900", "1970", "2000", "2024", "2026", "2100", "9999",
                "999", "12345", "+2026", "-0001", "20a6");
        Arbitrary<String> likely = Arbitraries.integers().between(0, 31).map(n -> String.format("%02d", n));
        Arbitrary<String> any = Arbitraries.integers().between(0, 99).map(n -> String.format("%02d", n));
        Arbitrary<String> odd = Arbitraries.of("1", "123", "ab", "٠١", " 1", "-1");
        Arbitrary<String> field = Arbitraries.frequencyOf(Tuple.of(8, likely), Tuple.of(2, any), Tuple.of(1, odd));
        Arbitrary<String> dateSep = Arbitraries.of("-", "-", "-", "/", "");
        Arbitrary<String> t = Arbitraries.of("T", "T", "t", " ", "");
        Arbitrary<String> colon = Arbitraries.of(":", ":", ":", "", ".");
        Arbitrary<String> fraction = Arbitraries.integers().between(-1, 11)
                .map(n -> n < 0 ? "" : n == 11 ? ",5" : "." + "1234567890".repeat(2).substring(0, n));
        Arbitrary<String> zone = Arbitraries.of("Z", "z", "+00:00", "-00:00", "+01:00", "-04:30", "+14:00", "+18:00",
                "-18:00", "+18:01", "+19:00", "+01:60", "+01", "+0100", "+01:00:30", "Z+01:00", "", "UTC", "+01:00[Europe/Paris]");
        return Combinators.combine(List.of(year, dateSep, field, dateSep, field, t, field, colon, field, colon, field,
                fraction, zone)).as(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> scrambled() {
        return Arbitraries.strings().withChars("0123456789-:.+Tt Zz,").ofMinLength(0).ofMaxLength(40)
                .edgeCases(c -> c.add("2026-11-29T10:00:00Z"));
    }
}
