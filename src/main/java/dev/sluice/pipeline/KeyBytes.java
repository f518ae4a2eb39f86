package dev.sluice.pipeline;

import java.util.Arrays;

/**
 * A record key as an order key: equal by content, its hash computed once. It replaced
 * {@code ByteBuffer.wrap(key)}, whose {@code hashCode} walks the bytes through bounds-checked
 * reads on every call; the profile of the throughput benchmark showed that on the poll thread,
 * which hashes every record's key for its lane. Immutable (the bytes are never written after the
 * poll).
 */
final class KeyBytes {

    private final byte[] bytes;
    private final int hash;

    KeyBytes(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyBytes that && hash == that.hash && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
