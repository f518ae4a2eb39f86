package dev.sluice.jobs.avro;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.DecimalNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A generic Avro datum (as {@link org.apache.avro.generic.GenericDatumReader} reads it, without
 * conversions) as a JSON tree, walked with its schema so logical types keep their meaning:
 *
 * <ul>
 *   <li>record, map → object (by field name / map key); array → array; union → its branch's value;
 *       null → null; enum, string → text; int, long, float, double → numbers; boolean → boolean;
 *       bytes, fixed → base64 text (RFC 4648, with padding)</li>
 *   <li>decimal, big-decimal → an exact decimal number, its scale kept ({@code 12.50} stays
 *       {@code 12.50})</li>
 *   <li>uuid → text; date → {@code yyyy-MM-dd}; time-millis/micros → {@code HH:mm:ss[.fraction]}</li>
 *   <li>timestamp-millis → epoch milliseconds (a long, as JSON producers send instants);
 *       timestamp-micros/nanos → ISO-8601 UTC text with exactly 6/9 fraction digits
 *       ({@code 2026-11-29T10:00:00.123456Z}): epoch millis would drop precision, a number of
 *       micros would be read as millis downstream</li>
 *   <li>local-timestamp-millis/micros/nanos → ISO-8601 local date-time text without offset, with
 *       exactly 3/6/9 fraction digits ({@code 2026-11-29T10:00:00.123}): a local timestamp is a
 *       wall-clock reading, not an instant, so it is not given as epoch millis</li>
 *   <li>any other logical type → the value of its underlying type</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class AvroTree {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Conversions.DecimalConversion DECIMAL = new Conversions.DecimalConversion();
    private static final Conversions.BigDecimalConversion BIG_DECIMAL = new Conversions.BigDecimalConversion();
    private static final Conversions.UUIDConversion UUIDS = new Conversions.UUIDConversion();
    private static final DateTimeFormatter MICROS = new DateTimeFormatterBuilder().appendInstant(6).toFormatter();
    private static final DateTimeFormatter NANOS = new DateTimeFormatterBuilder().appendInstant(9).toFormatter();
    private static final DateTimeFormatter LOCAL_MILLIS = local(3);
    private static final DateTimeFormatter LOCAL_MICROS = local(6);
    private static final DateTimeFormatter LOCAL_NANOS = local(9);

    private final GenericData data;

    AvroTree(GenericData data) {
        this.data = data;
    }

    JsonNode of(Object datum, Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical != null) {
            JsonNode converted = logical(datum, schema, logical);
            if (converted != null) {
                return converted;
            }
        }
        return switch (schema.getType()) {
            case RECORD -> record((GenericRecord) datum, schema);
            case ARRAY -> array((List<?>) datum, schema.getElementType());
            case MAP -> map((Map<?, ?>) datum, schema.getValueType());
            case UNION -> of(datum, schema.getTypes().get(data.resolveUnion(schema, datum)));
            case NULL -> NODES.nullNode();
            case ENUM, STRING -> NODES.stringNode(datum.toString());
            case INT -> NODES.numberNode((Integer) datum);
            case LONG -> NODES.numberNode((Long) datum);
            case FLOAT -> NODES.numberNode((Float) datum);
            case DOUBLE -> NODES.numberNode((Double) datum);
            case BOOLEAN -> NODES.booleanNode((Boolean) datum);
            case BYTES -> NODES.stringNode(base64((ByteBuffer) datum));
            case FIXED -> NODES.stringNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
        };
    }

    private ObjectNode record(GenericRecord record, Schema schema) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
            node.set(field.name(), of(record.get(field.pos()), field.schema()));
        }
        return node;
    }

    private ArrayNode array(List<?> elements, Schema elementType) {
        ArrayNode node = NODES.arrayNode(elements.size());
        for (Object element : elements) {
            node.add(of(element, elementType));
        }
        return node;
    }

    private ObjectNode map(Map<?, ?> entries, Schema valueType) {
        ObjectNode node = NODES.objectNode();
        entries.forEach((key, value) -> node.set(key.toString(), of(value, valueType)));
        return node;
    }

    /** The tree for a logical type this class knows, or null to use the underlying type's. */
    private static JsonNode logical(Object datum, Schema schema, LogicalType logical) {
        return switch (logical.getName()) {
            case "decimal" -> DecimalNode.valueOf(schema.getType() == Schema.Type.FIXED
                    ? DECIMAL.fromFixed((GenericFixed) datum, schema, logical)
                    : DECIMAL.fromBytes((ByteBuffer) datum, schema, logical));
            case "big-decimal" -> DecimalNode.valueOf(BIG_DECIMAL.fromBytes((ByteBuffer) datum, schema, logical));
            case "uuid" -> NODES.stringNode(schema.getType() == Schema.Type.FIXED
                    ? UUIDS.fromFixed((GenericFixed) datum, schema, logical).toString()
                    : datum.toString());
            case "date" -> NODES.stringNode(LocalDate.ofEpochDay((Integer) datum).toString());
            case "time-millis" -> NODES.stringNode(LocalTime.ofNanoOfDay((Integer) datum * 1_000_000L).format(DateTimeFormatter.ISO_LOCAL_TIME));
            case "time-micros" -> NODES.stringNode(LocalTime.ofNanoOfDay((Long) datum * 1_000L).format(DateTimeFormatter.ISO_LOCAL_TIME));
            case "timestamp-millis" -> NODES.numberNode((Long) datum);
            case "timestamp-micros" -> NODES.stringNode(MICROS.format(micros((Long) datum)));
            case "timestamp-nanos" -> NODES.stringNode(NANOS.format(nanos((Long) datum)));
            case "local-timestamp-millis" -> NODES.stringNode(LOCAL_MILLIS.format(local(Instant.ofEpochMilli((Long) datum))));
            case "local-timestamp-micros" -> NODES.stringNode(LOCAL_MICROS.format(local(micros((Long) datum))));
            case "local-timestamp-nanos" -> NODES.stringNode(LOCAL_NANOS.format(local(nanos((Long) datum))));
            default -> null;
        };
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static Instant nanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private static LocalDateTime local(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static DateTimeFormatter local(int fractionDigits) {
        return new DateTimeFormatterBuilder()
                .append(DateTimeFormatter.ISO_LOCAL_DATE)
                .appendLiteral('T')
                .appendPattern("HH:mm:ss")
                .appendFraction(ChronoField.NANO_OF_SECOND, fractionDigits, fractionDigits, true)
                .toFormatter();
    }

    private static String base64(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return Base64.getEncoder().encodeToString(copy);
    }
}
