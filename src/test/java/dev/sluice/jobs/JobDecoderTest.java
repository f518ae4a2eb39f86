package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.TransientProcessingException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The decoder's two paths share one conversion: JSON read in the decoder, or a blocking reader
 * (Avro) run in the process step, where a refusal throws and a transient failure passes through.
 */
class JobDecoderTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static JobMapping mapping() {
        Map<String, Catalog.Column> columns = new LinkedHashMap<>();
        columns.put("id", new Catalog.Column("id", "id", true, "text", ColumnType.of("text", false, -1, "text"), "", "", null));
        columns.put("amount", new Catalog.Column("amount", "amount", false, "numeric(10,2)",
                ColumnType.of("numeric", false, ((10 << 16) | 2) + 4, "numeric(10,2)"), "", "", null));
        Catalog.Table table = new Catalog.Table("public.orders", "public.orders", columns, List.of(Set.of("id")));
        JobsProperties properties = JobsDatabase.bind("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.key[0]=id", "sluice.jobs.orders.columns.id=@key",
                "sluice.jobs.orders.columns.amount=/amount", "sluice.jobs.orders.deletes=tombstone");
        return JobMapping.of("orders", properties.jobs().get("orders"), table);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBlockingReaderRunsInTheStepAndItsTreeConvertsLikeJson() throws InterruptedException {
        ObjectNode tree = NODES.objectNode().put("amount", new BigDecimal("12.30"));
        JobDecoder decoder = new JobDecoder(mapping(), value -> tree, true);

        Decoded<JobRow> decoded = decoder.decode(bytes("k1"), bytes("avro bytes"));
        JobRow pending = ((Decoded.Accepted<JobRow>) decoded).value();
        JobRow row = decoder.step().apply(pending);

        assertThat(pending.isPending()).isTrue();
        assertThat(row.values()).containsExactly("k1", new BigDecimal("12.30"));
        JobRow json = ((Decoded.Accepted<JobRow>) new JobDecoder(mapping(), new JsonValueReader(), false)
                .decode(bytes("k1"), bytes("{\"amount\": 12.30}"))).value();
        assertThat(json.values()).containsExactly(row.values());
    }

    @Test
    void inTheStepARefusalThrowsWithItsReasonAndATransientFailurePassesThrough() {
        JobDecoder refusing = new JobDecoder(mapping(), value -> NODES.objectNode().put("amount", new BigDecimal("1.234")), true);
        JobDecoder broken = new JobDecoder(mapping(), value -> {
            throw new IllegalArgumentException("has unknown schema id 7");
        }, true);
        JobDecoder down = new JobDecoder(mapping(), value -> {
            throw new TransientProcessingException("registry unavailable", null);
        }, true);
        JobRow pending = JobRow.pending(bytes("k1"), bytes("x"));

        assertThatThrownBy(() -> refusing.step().apply(pending)).isInstanceOf(ValueRefused.class)
                .hasMessage("column amount (/amount): 1.234 has 3 decimal places; numeric(10,2) takes 2 (no rounding)");
        assertThatThrownBy(() -> broken.step().apply(pending)).isInstanceOf(ValueRefused.class)
                .hasMessage("value has unknown schema id 7");
        assertThatThrownBy(() -> down.step().apply(pending)).isInstanceOf(TransientProcessingException.class);
    }

    @Test
    void aTombstoneIsDecodedInTheDecoderOnBothPaths() {
        JobDecoder avro = new JobDecoder(mapping(), value -> {
            throw new AssertionError("a tombstone has no value to read");
        }, true);

        JobRow row = ((Decoded.Accepted<JobRow>) avro.decode(bytes("k1"), null)).value();

        assertThat(row.delete()).isTrue();
        assertThat(row.values()[0]).isEqualTo("k1");
        assertThat(avro.decode(null, null)).isEqualTo(Decoded.rejected(RejectReason.INVALID,
                "key column id (@key): the tombstone's key has no value for it"));
    }
}
