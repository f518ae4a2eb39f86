package dev.sluice.pipeline;

import java.util.Locale;

/** Why a record is dead-lettered; the lower-case name is the {@code sluice.error.reason} header. */
public enum RejectReason {
    /** Not a JSON object in strict UTF-8 within the parsing bounds. */
    MALFORMED,
    /** Well-formed, but a field breaks the contract's rules (or the process step refused it). */
    INVALID,
    /** Reuses a stored paymentId with another account, currency or amount. */
    CONFLICT;

    public String header() {
        return name().toLowerCase(Locale.ROOT);
    }
}
