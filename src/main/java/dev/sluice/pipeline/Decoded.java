package dev.sluice.pipeline;

/** The result of decoding and validating a record's bytes. */
public sealed interface Decoded<T> {

    record Accepted<T>(T value) implements Decoded<T> {
    }

    record Rejected<T>(RejectReason reason, String detail) implements Decoded<T> {
    }

    static <T> Decoded<T> accepted(T value) {
        return new Accepted<>(value);
    }

    static <T> Decoded<T> rejected(RejectReason reason, String detail) {
        return new Rejected<>(reason, detail);
    }
}
