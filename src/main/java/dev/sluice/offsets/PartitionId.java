package dev.sluice.offsets;

import java.util.Objects;

/** A topic partition, free of Kafka's types so the pipeline and the tracker stay pure. */
public record PartitionId(String topic, int partition) {

    public PartitionId {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + partition);
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
