package dev.sluice.kafka;

/** Test access to what operators cannot do: crash the pipeline without a final commit. */
public final class PipelineTestAccess {

    private PipelineTestAccess() {
    }

    public static void halt(KafkaPipeline<?> pipeline) {
        pipeline.halt();
    }
}
