package dev.sluice.jobs.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ConfluentAvroReaderTest {

    private static final Schema ORDER = new Schema.Parser().parse("""
            {"type": "record", "name": "Order", "namespace": "dev.sluice.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "count", "type": "int"},
              {"name": "total", "type": "long"},
              {"name": "ratio", "type": "float"},
              {"name": "score", "type": "double"},
              {"name": "paid", "type": "boolean"},
              {"name": "nothing", "type": "null"},
              {"name": "note", "type": ["null", "string"]},
              {"name": "missing", "type": ["null", "string"], "default": null},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
              {"name": "raw", "type": "bytes"},
              {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attributes", "type": {"type": "map", "values": "long"}},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "name", "type": "string"},
                {"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}]}}]}},
              {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "fixedAmount", "type": {"type": "fixed", "name": "Amount", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}},
              {"name": "optionalAmount", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}]},
              {"name": "bigAmount", "type": {"type": "bytes", "logicalType": "big-decimal"}},
              {"name": "orderId", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "fixedId", "type": {"type": "fixed", "name": "Id", "size": 16, "logicalType": "uuid"}},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}},
              {"name": "preciseAt", "type": {"type": "long", "logicalType": "time-micros"}},
              {"name": "createdAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "updatedAt", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "seenAt", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
              {"name": "localAt", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
              {"name": "localPreciseAt", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
              {"name": "localSeenAt", "type": {"type": "long", "logicalType": "local-timestamp-nanos"}}
            ]}""");

    private static final Schema SMALL = new Schema.Parser().parse("""
            {"type": "record", "name": "Small", "fields": [{"name": "name", "type": "string"}, {"name": "qty", "type": "int"}]}""");

    private static final UUID ORDER_ID = UUID.fromString("0b6f8a52-3c1d-4e7a-9f00-5d2c1e9a7b31");
    private static final UUID FIXED_ID = UUID.fromString("f47ac10b-58cc-4372-a567-0e02b2c3d479");

    private RegistryServer server;
    private SchemaRegistryClient registry;
    private ConfluentAvroReader reader;

    @BeforeEach
    void start() throws Exception {
        server = RegistryServer.start();
        registry = new SchemaRegistryClient(SchemaRegistryProperties.of(server.url()));
        reader = new ConfluentAvroReader(registry);
    }

    @AfterEach
    void stop() {
        registry.close();
        server.close();
    }

    @Test
    void everyAvroTypeBecomesItsJsonTree() {
        int id = server.register(ORDER);

        JsonNode tree = reader.read(WireFormat.encode(id, ORDER, order()));

        assertThat(tree.get("id").isString()).isTrue();
        assertThat(tree.get("id").asString()).isEqualTo("ord-1");
        assertThat(tree.get("count").isInt()).isTrue();
        assertThat(tree.get("count").intValue()).isEqualTo(3);
        assertThat(tree.get("total").isLong()).isTrue();
        assertThat(tree.get("total").longValue()).isEqualTo(10_000_000_000L);
        assertThat(tree.get("ratio").isFloat()).isTrue();
        assertThat(tree.get("ratio").floatValue()).isEqualTo(0.25f);
        assertThat(tree.get("score").isDouble()).isTrue();
        assertThat(tree.get("score").doubleValue()).isEqualTo(-1.5e300);
        assertThat(tree.get("paid").isBoolean()).isTrue();
        assertThat(tree.get("paid").booleanValue()).isTrue();
        assertThat(tree.get("nothing").isNull()).isTrue();
        assertThat(tree.get("note").asString()).isEqualTo("leave at the door");
        assertThat(tree.get("missing").isNull()).isTrue();
        assertThat(tree.get("status").asString()).isEqualTo("PAID");
        assertThat(tree.get("raw").asString()).isEqualTo("AAEC/w==");
        assertThat(tree.get("hash").asString()).isEqualTo("3q2+7w==");
        assertThat(tree.get("tags")).isEqualTo(json("[\"new\", \"gift\"]"));
        assertThat(tree.get("attributes").properties()).hasSize(2);
        assertThat(tree.at("/attributes/weight").isLong()).isTrue();
        assertThat(tree.at("/attributes/weight").longValue()).isEqualTo(1200L);
        assertThat(tree.at("/attributes/height").longValue()).isEqualTo(-3L);
        assertThat(tree.get("customer")).isEqualTo(json("{\"name\": \"Ada\", \"address\": {\"city\": \"Zürich\"}}"));
        assertThat(tree.get("lines")).isEqualTo(json("[{\"sku\": \"A-1\", \"qty\": 2}, {\"sku\": \"B-2\", \"qty\": 1}]"));
        assertThat(tree.at("/customer/address/city").asString()).isEqualTo("Zürich");

        assertExactDecimal(tree.get("amount"), "12.50");
        assertExactDecimal(tree.get("fixedAmount"), "-123456.7890");
        assertExactDecimal(tree.get("optionalAmount"), "0.10");
        assertExactDecimal(tree.get("bigAmount"), "3.14159265358979323846264338327950288419716939937510");
        assertThat(tree.get("orderId").asString()).isEqualTo(ORDER_ID.toString());
        assertThat(tree.get("fixedId").asString()).isEqualTo(FIXED_ID.toString());
        assertThat(tree.get("day").asString()).isEqualTo("2026-11-29");
        assertThat(tree.get("at").asString()).isEqualTo("10:15:30.123");
        assertThat(tree.get("preciseAt").asString()).isEqualTo("10:15:30.123456");
        assertThat(tree.get("createdAt").isLong()).isTrue();
        assertThat(tree.get("createdAt").longValue()).isEqualTo(Instant.parse("2026-11-29T10:00:00.123Z").toEpochMilli());
        assertThat(tree.get("updatedAt").asString()).isEqualTo("2026-11-29T10:00:00.123456Z");
        assertThat(tree.get("seenAt").asString()).isEqualTo("2026-11-29T10:00:00.123456789Z");
        assertThat(tree.get("localAt").asString()).isEqualTo("2026-11-29T10:00:00.120");
        assertThat(tree.get("localPreciseAt").asString()).isEqualTo("2026-11-29T10:00:00.000001");
        assertThat(tree.get("localSeenAt").asString()).isEqualTo("2026-11-29T10:00:00.000000000");
        assertThat(tree.properties()).hasSize(ORDER.getFields().size());
    }

    @Test
    void timestampsBeforeTheEpochKeepTheirFraction() {
        Schema schema = new Schema.Parser().parse("""
                {"type": "record", "name": "Before", "fields": [
                  {"name": "micros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                  {"name": "millis", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}""");
        int id = server.register(schema);
        GenericRecord before = new GenericRecordBuilder(schema)
                .set("micros", Instant.parse("1969-12-31T23:59:59.999999Z"))
                .set("millis", Instant.parse("1969-12-31T23:59:59.999Z"))
                .build();

        JsonNode tree = reader.read(WireFormat.encode(id, schema, before));

        assertThat(tree.get("micros").asString()).isEqualTo("1969-12-31T23:59:59.999999Z");
        assertThat(tree.get("millis").longValue()).isEqualTo(-1L);
    }

    @Test
    void aValueThatIsNotARecordIsItsValue() {
        Schema union = new Schema.Parser().parse("[\"null\", \"long\", {\"type\": \"array\", \"items\": \"int\"}]");
        int id = server.register(union);

        assertThat(reader.read(WireFormat.encode(id, union, 42L)).longValue()).isEqualTo(42L);
        assertThat(reader.read(WireFormat.encode(id, union, null)).isNull()).isTrue();
        assertThat(reader.read(WireFormat.encode(id, union, List.of(1, 2)))).isEqualTo(json("[1, 2]"));
    }

    @Test
    void eachSchemaIdDecodesWithItsOwnWriterSchema() {
        int order = server.register(ORDER);
        int small = server.register(SMALL);

        JsonNode first = reader.read(WireFormat.encode(small, SMALL, small("first", 1)));
        JsonNode second = reader.read(WireFormat.encode(order, ORDER, order()));

        assertThat(first).isEqualTo(json("{\"name\": \"first\", \"qty\": 1}"));
        assertThat(second.get("id").asString()).isEqualTo("ord-1");
    }

    @Test
    void refusesAWrongMagicByte() {
        int id = server.register(SMALL);
        byte[] value = WireFormat.encode(id, SMALL, small("x", 1));
        value[0] = 1;

        assertThatThrownBy(() -> reader.read(value)).isInstanceOf(MalformedAvroException.class)
                .hasMessage("magic byte 0x01, the Confluent wire format starts with 0x00");
        assertThatThrownBy(() -> reader.read("{\"id\":1}".getBytes())).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("magic byte 0x7b");
        assertThat(server.requests(id)).isZero();
    }

    @Test
    void refusesAValueShorterThanTheHeader() {
        assertThatThrownBy(() -> reader.read(new byte[] {0, 0, 0, 1})).isInstanceOf(MalformedAvroException.class)
                .hasMessage("too short for the Confluent wire format: 4 bytes, the magic byte and the 4-byte schema id take 5");
        assertThatThrownBy(() -> reader.read(new byte[0])).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("too short for the Confluent wire format: 0 bytes");
        assertThatThrownBy(() -> reader.read(null)).isInstanceOf(MalformedAvroException.class).hasMessageStartingWith("no value");
    }

    @Test
    void refusesATruncatedDatum() {
        int id = server.register(ORDER);
        byte[] whole = WireFormat.encode(id, ORDER, order());

        for (int length : new int[] {5, 6, whole.length / 2, whole.length - 1}) {
            byte[] cut = Arrays.copyOf(whole, length);
            assertThatThrownBy(() -> reader.read(cut)).as("cut to %d of %d bytes", length, whole.length)
                    .isInstanceOf(MalformedAvroException.class)
                    .hasMessageStartingWith("does not decode with writer schema id " + id + ": ");
        }
    }

    @Test
    void refusesBytesLeftOverAfterTheDatum() {
        int id = server.register(SMALL);
        byte[] whole = WireFormat.encode(id, SMALL, small("x", 1));
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);

        assertThatThrownBy(() -> reader.read(longer)).isInstanceOf(MalformedAvroException.class)
                .hasMessage("bytes left over after the datum of writer schema id " + id + ": the value was not written with this schema");
    }

    @Test
    void refusesAnImpossibleLengthWithoutAllocatingIt() {
        int id = server.register(SMALL);
        // a string length of 2^30 (zig-zag varint) in a 10-byte value
        byte[] value = WireFormat.framed(id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x08);

        assertThatThrownBy(() -> reader.read(value)).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("does not decode with writer schema id " + id + ": ");
    }

    @Test
    void refusesAnImpossibleCollectionWithoutAllocatingIt() {
        Schema nulls = new Schema.Parser().parse("{\"type\": \"array\", \"items\": \"null\"}");
        int id = server.register(nulls);
        // a block of 2^30 elements that take no bytes each: only Avro's collection limit stops it
        byte[] value = WireFormat.framed(id, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x08);

        assertThatThrownBy(() -> reader.read(value)).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("does not decode with writer schema id " + id + ": ");
    }

    @Test
    void refusesAUnionBranchTheSchemaDoesNotHave() {
        Schema union = new Schema.Parser().parse("[\"null\", \"long\"]");
        int id = server.register(union);

        assertThatThrownBy(() -> reader.read(WireFormat.framed(id, (byte) 0x08))).isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("does not decode with writer schema id " + id + ": ");
    }

    @Test
    void refusesASchemaIdTheRegistryDoesNotKnow() {
        assertThatThrownBy(() -> reader.read(WireFormat.framed(4711, (byte) 2, (byte) 'x', (byte) 2)))
                .isInstanceOf(MalformedAvroException.class)
                .hasMessageStartingWith("schema id 4711 is not known to the schema registry at " + server.url() + " (404");
    }

    private static void assertExactDecimal(JsonNode node, String expected) {
        assertThat(node.isBigDecimal()).as("%s is a decimal node", node).isTrue();
        assertThat(node.decimalValue()).isEqualTo(new BigDecimal(expected)).hasScaleOf(new BigDecimal(expected).scale());
    }

    private static JsonNode json(String text) {
        return JsonMapper.builder().build().readTree(text);
    }

    private static GenericRecord small(String name, int qty) {
        return new GenericRecordBuilder(SMALL).set("name", name).set("qty", qty).build();
    }

    private static GenericRecord order() {
        Schema customer = ORDER.getField("customer").schema();
        Schema address = customer.getField("address").schema();
        Schema line = ORDER.getField("lines").schema().getElementType();
        Map<String, Long> attributes = new LinkedHashMap<>();
        attributes.put("weight", 1200L);
        attributes.put("height", -3L);
        return new GenericRecordBuilder(ORDER)
                .set("id", "ord-1")
                .set("count", 3)
                .set("total", 10_000_000_000L)
                .set("ratio", 0.25f)
                .set("score", -1.5e300)
                .set("paid", true)
                .set("nothing", null)
                .set("note", "leave at the door")
                .set("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "PAID"))
                .set("raw", ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff}))
                .set("hash", new GenericData.Fixed(ORDER.getField("hash").schema(), new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}))
                .set("tags", List.of("new", "gift"))
                .set("attributes", attributes)
                .set("customer", new GenericRecordBuilder(customer).set("name", "Ada")
                        .set("address", new GenericRecordBuilder(address).set("city", "Zürich").build()).build())
                .set("lines", List.of(new GenericRecordBuilder(line).set("sku", "A-1").set("qty", 2).build(),
                        new GenericRecordBuilder(line).set("sku", "B-2").set("qty", 1).build()))
                .set("amount", new BigDecimal("12.50"))
                .set("fixedAmount", new BigDecimal("-123456.7890"))
                .set("optionalAmount", new BigDecimal("0.10"))
                .set("bigAmount", new BigDecimal("3.14159265358979323846264338327950288419716939937510"))
                .set("orderId", ORDER_ID)
                .set("fixedId", FIXED_ID)
                .set("day", LocalDate.parse("2026-11-29"))
                .set("at", LocalTime.parse("10:15:30.123"))
                .set("preciseAt", LocalTime.parse("10:15:30.123456"))
                .set("createdAt", Instant.parse("2026-11-29T10:00:00.123Z"))
                .set("updatedAt", Instant.parse("2026-11-29T10:00:00.123456Z"))
                .set("seenAt", Instant.parse("2026-11-29T10:00:00.123456789Z"))
                .set("localAt", LocalDateTime.parse("2026-11-29T10:00:00.120"))
                .set("localPreciseAt", LocalDateTime.parse("2026-11-29T10:00:00.000001"))
                .set("localSeenAt", LocalDateTime.parse("2026-11-29T10:00:00"))
                .build();
    }
}
