package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.SinkOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobValidationTest {

    private static Job<String> job(String name, String topic) {
        return Job.of(name, topic, (key, value) -> Decoded.accepted("x"),
                (connection, batch) -> batch.stream().map(item -> SinkOutcome.WRITTEN).toList());
    }

    @Test
    void theFactoryDefaultsGroupAndDeadLetterTopic() {
        Job<String> orders = job("orders", "orders-in");
        assertThat(orders.group()).isEqualTo("orders");
        assertThat(orders.deadLetterTopic()).isEqualTo("orders-in.DLT");
        assertThat(orders.withGroup("g").withDeadLetterTopic("d")).extracting(Job::group, Job::deadLetterTopic)
                .containsExactly("g", "d");
    }

    @Test
    void distinctJobsPass() {
        assertThatCode(() -> JobValidation.validate(List.of(job("a", "t"), job("b", "t")))).doesNotThrowAnyException();
    }

    @Test
    void eachRefusalNamesTheJob() {
        assertThatThrownBy(() -> JobValidation.validate(List.of(job("a", "t1"), job("a", "t2"))))
                .hasMessageContaining("two jobs are named a");
        assertThatThrownBy(() -> JobValidation.validate(List.of(job("a", "t1"), job("b", "t2").withGroup("a"))))
                .hasMessageContaining("jobs a and b both use consumer group a");
        assertThatThrownBy(() -> JobValidation.validate(List.of(job("orders", " "))))
                .hasMessageContaining("job orders has no topic");
        assertThatThrownBy(() -> JobValidation.validate(List.of(job("orders", "t").withDeadLetterTopic("t"))))
                .hasMessageContaining("job orders: its dead-letter topic must differ");
        assertThatThrownBy(() -> JobValidation.validate(List.of(job("orders", "t").withGroup(""))))
                .hasMessageContaining("job orders has no group");
    }

    @Test
    void theProcessStateIsTheFurthestFromRunning() {
        assertThat(Pipelines.aggregate(List.of())).isEqualTo(PipelineState.STOPPED);
        assertThat(Pipelines.aggregate(List.of(PipelineState.RUNNING, PipelineState.RUNNING))).isEqualTo(PipelineState.RUNNING);
        assertThat(Pipelines.aggregate(List.of(PipelineState.RUNNING, PipelineState.STOPPED))).isEqualTo(PipelineState.STOPPED);
        assertThat(Pipelines.aggregate(List.of(PipelineState.STOPPED, PipelineState.DRAINING))).isEqualTo(PipelineState.DRAINING);
        assertThat(Pipelines.aggregate(List.of(PipelineState.DRAINING, PipelineState.ABORTING))).isEqualTo(PipelineState.ABORTING);
    }
}
