package dev.sluice.kafka;

import dev.sluice.pipeline.BatchProperties;
import dev.sluice.pipeline.DeliveryProperties;
import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.RetryProperties;
import dev.sluice.pipeline.ShutdownProperties;

/** Every bound of the pipeline, bound and validated from {@code sluice.*}. */
public record PipelineSettings(SourceProperties source, FlowProperties flow, BatchProperties batch,
        RetryProperties retry, ShutdownProperties shutdown, DeliveryProperties delivery) {

    /** The re-claim backoff of partitions fenced while still assigned ({@code sluice.delivery.reclaim-backoff*}). */
    PartitionOwnership.ReclaimBackoff reclaimBackoff() {
        return new PartitionOwnership.ReclaimBackoff(delivery.reclaimBackoff(), delivery.reclaimBackoffMax());
    }
}
