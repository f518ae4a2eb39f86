package dev.sluice.payments;

import dev.sluice.pipeline.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Deterministic payment traffic for the demo, load tests, benchmarks and the invariant tests:
 * valid payments over a set of accounts (optionally with hot keys), exact replays of earlier
 * payments (duplicates), and invalid records whose dead-letter reason is known in advance.
 *
 * <p>Not thread-safe: one generator per producing thread.
 */
public final class PaymentGenerator {

    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final int REPLAY_WINDOW = 4096;
    private static final Instant BASE = Instant.parse("2026-11-29T00:00:00Z");

    /**
     * What to generate.
     *
     * @param idPrefix makes paymentIds and accounts unique per run (e.g. a test's name)
     * @param accounts distinct accounts for normal traffic
     * @param duplicateFraction share of records that replay an earlier valid payment's exact bytes
     * @param invalidFraction share of records that must be dead-lettered
     * @param hotFraction share of valid payments on the {@code hotAccounts} hot accounts
     */
    public record Spec(String idPrefix, int accounts, double duplicateFraction, double invalidFraction, double hotFraction,
            int hotAccounts, long seed) {

        public static Spec of(String idPrefix, int accounts) {
            return new Spec(idPrefix, accounts, 0, 0, 0, 1, 42);
        }

        public Spec withDuplicates(double fraction) {
            return new Spec(idPrefix, accounts, fraction, invalidFraction, hotFraction, hotAccounts, seed);
        }

        public Spec withInvalid(double fraction) {
            return new Spec(idPrefix, accounts, duplicateFraction, fraction, hotFraction, hotAccounts, seed);
        }

        public Spec withHotKeys(double fraction, int hot) {
            return new Spec(idPrefix, accounts, duplicateFraction, invalidFraction, fraction, hot, seed);
        }
    }

    /**
     * One generated record.
     *
     * @param payment the payment it carries when valid (also for a replay), else null
     * @param replay true when it repeats an earlier payment's bytes
     * @param expectedReason the dead-letter reason when invalid, else null
     */
    public record Generated(String key, byte[] value, Payment payment, boolean replay, RejectReason expectedReason) {
    }

    private final Spec spec;
    private final SplittableRandom random;
    private final Generated[] recent = new Generated[REPLAY_WINDOW];
    private long sequence;
    /** Valid, non-hot payments generated so far: the ones a replay may repeat. */
    private long replayable;

    public PaymentGenerator(Spec spec) {
        this.spec = spec;
        this.random = new SplittableRandom(spec.seed());
    }

    public Generated next() {
        sequence++;
        double roll = random.nextDouble();
        if (roll < spec.invalidFraction()) {
            return invalid();
        }
        if (roll < spec.invalidFraction() + spec.duplicateFraction() && replayable > 0) {
            Generated original = recent[(int) (random.nextLong(Math.min(replayable, REPLAY_WINDOW)))];
            return new Generated(original.key(), original.value(), original.payment(), true, null);
        }
        return valid();
    }

    private Generated valid() {
        boolean hot = random.nextDouble() < spec.hotFraction();
        String account = hot ? spec.idPrefix() + "-hot-" + random.nextInt(spec.hotAccounts())
                : spec.idPrefix() + "-acc-" + random.nextInt(spec.accounts());
        long amount = random.nextLong(1, 100_000) * (random.nextInt(10) == 0 ? -1 : 1);
        Payment payment = new Payment(spec.idPrefix() + "-" + sequence, account, amount,
                CURRENCIES[random.nextInt(CURRENCIES.length)], BASE.plusSeconds(sequence));
        Generated generated = new Generated(account, json(payment), payment, false, null);
        if (!hot) {
            recent[(int) (replayable % REPLAY_WINDOW)] = generated;
            replayable++;
        }
        return generated;
    }

    private Generated invalid() {
        String account = spec.idPrefix() + "-acc-" + random.nextInt(spec.accounts());
        String id = spec.idPrefix() + "-bad-" + sequence;
        return switch ((int) (sequence % 5)) {
            case 0 -> bad(account, "{\"paymentId\":\"" + id + "\",\"account\":", RejectReason.MALFORMED);
            case 1 -> bad(account, payload(id, account, "0", "EUR"), RejectReason.INVALID);
            case 2 -> bad(account, payload(id, account, "100", "eur"), RejectReason.INVALID);
            case 3 -> bad(account, payload(id + " OR 1=1", account, "100", "EUR"), RejectReason.INVALID);
            default -> bad(account, payload(id, account, "12.5", "EUR"), RejectReason.INVALID);
        };
    }

    private static Generated bad(String key, String value, RejectReason reason) {
        return new Generated(key, value.getBytes(StandardCharsets.UTF_8), null, false, reason);
    }

    private static String payload(String id, String account, String amount, String currency) {
        return "{\"paymentId\":\"" + id + "\",\"account\":\"" + account + "\",\"amountCents\":" + amount
                + ",\"currency\":\"" + currency + "\",\"occurredAt\":\"2026-11-29T10:00:00Z\"}";
    }

    /** The contract's JSON for {@code payment}. Ids are generated from safe characters only. */
    public static byte[] json(Payment payment) {
        return ("{\"paymentId\":\"" + payment.paymentId() + "\",\"account\":\"" + payment.account() + "\",\"amountCents\":"
                + payment.amountCents() + ",\"currency\":\"" + payment.currency() + "\",\"occurredAt\":\""
                + payment.occurredAt() + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
