package dev.sluice.testinfra;

import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentGenerator.Generated;
import dev.sluice.pipeline.RejectReason;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the ledger must hold after the produced traffic, by the invariant of DESIGN.md: per
 * (account, currency) the sum and count of the distinct valid paymentIds; and how many records of
 * each reason must be on the dead-letter topic. Not thread-safe.
 */
public final class ExpectedLedger {

    /** Sum and count for one (account, currency). */
    public record Balance(BigInteger cents, long count) {
    }

    private final Set<String> seen = new HashSet<>();
    private final Map<String, Balance> balances = new HashMap<>();
    private final Map<RejectReason, Long> deadLetters = new EnumMap<>(RejectReason.class);
    private long produced;
    private long distinctValid;

    public void add(Generated generated) {
        produced++;
        if (generated.expectedReason() != null) {
            deadLetters.merge(generated.expectedReason(), 1L, Long::sum);
            return;
        }
        Payment payment = generated.payment();
        if (seen.add(payment.paymentId())) {
            distinctValid++;
            balances.merge(payment.account() + "/" + payment.currency(),
                    new Balance(BigInteger.valueOf(payment.amountCents()), 1),
                    (a, b) -> new Balance(a.cents().add(b.cents()), a.count() + b.count()));
        }
    }

    /** Expects one more dead letter of {@code reason} (e.g. a hand-made poison record). */
    public void expectDeadLetter(RejectReason reason) {
        produced++;
        deadLetters.merge(reason, 1L, Long::sum);
    }

    public Map<String, Balance> balances() {
        return balances;
    }

    public Map<RejectReason, Long> deadLetters() {
        return deadLetters;
    }

    public long deadLetterTotal() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    public long produced() {
        return produced;
    }

    public long distinctValid() {
        return distinctValid;
    }
}
