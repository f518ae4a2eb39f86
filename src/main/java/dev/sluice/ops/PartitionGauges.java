package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Per-partition offsets as gauges, refreshed every few seconds from the pipeline status:
 * {@code sluice.partition.offset{topic, partition, kind=committed|completed|polled}} and
 * {@code sluice.partition.uncommitted{topic, partition}} (completed − committed: durable but not yet
 * committed, what a crash now would redeliver). The topic and the partition number are separate tags, so a
 * query can select one topic or sum over partitions without parsing "topic-N". Partitions no longer assigned disappear; one assigned
 * but not owned (claiming, fenced) keeps only its committed offset. Per job ({@code job=<name>}).
 */
@Component
class PartitionGauges implements DisposableBean {

    static final long REFRESH_SECONDS = 5;

    private final List<JobGauges> jobs = new ArrayList<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-partition-gauges").daemon(true).factory());

    PartitionGauges(Pipelines pipelines) {
        for (JobPipeline job : pipelines.all()) {
            jobs.add(new JobGauges(job.pipeline(), job.meters()));
        }
        refresh();
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    void refresh() {
        jobs.forEach(JobGauges::refresh);
    }

    /** One job's gauges. */
    private record JobGauges(PipelineControl pipeline, MultiGauge offsets, MultiGauge uncommitted) {

        JobGauges(PipelineControl pipeline, MeterRegistry registry) {
            this(pipeline, MultiGauge.builder("sluice.partition.offset")
                    .description("Per partition: committed offset, completed low-water mark, last polled offset").register(registry),
                    MultiGauge.builder("sluice.partition.uncommitted")
                    .description("Per partition: records durable but not yet committed (completed - committed)").register(registry));
        }

        void refresh() {
            Map<String, PartitionStatus> partitions = pipeline.status().partitions();
            List<MultiGauge.Row<?>> offsetRows = new ArrayList<>();
            List<MultiGauge.Row<?>> gapRows = new ArrayList<>();
            partitions.forEach((partition, status) -> {
                offsetRows.add(MultiGauge.Row.of(tags(partition).and("kind", "committed"), status.committed()));
                if (!"owned".equals(status.ownership())) {
                    return; // claiming or fenced: nothing polled under this member's ownership (sluice.partition.unowned counts it)
                }
                offsetRows.add(MultiGauge.Row.of(tags(partition).and("kind", "completed"), status.completed()));
                offsetRows.add(MultiGauge.Row.of(tags(partition).and("kind", "polled"), status.lastPolled()));
                gapRows.add(MultiGauge.Row.of(tags(partition),
                        Math.max(0, status.completed() - status.committed())));
            });
            offsets.register(offsetRows, true);
            uncommitted.register(gapRows, true);
        }
    }

    /** {@code topic} and {@code partition} tags of a status key "topic-N" (a topic name may itself hold dashes). */
    static Tags tags(String topicPartition) {
        int dash = topicPartition.lastIndexOf('-');
        return Tags.of("topic", topicPartition.substring(0, dash), "partition", topicPartition.substring(dash + 1));
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }
}
