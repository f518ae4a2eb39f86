package dev.sluice.payments;

import java.time.Instant;

/**
 * A valid payment event (contract: DESIGN.md "Input"). Built only by {@link PaymentParser}, which
 * enforces every field rule, so an instance is always valid.
 *
 * @param amountCents non-zero, |amount| ≤ 10^12; refunds are negative
 */
public record Payment(String paymentId, String account, long amountCents, String currency, Instant occurredAt) {

    /** Same effect as {@code other}: the fields the ledger compares to tell a duplicate from a conflict. */
    boolean sameEffectAs(String otherAccount, String otherCurrency, long otherAmount) {
        return account.equals(otherAccount) && currency.equals(otherCurrency) && amountCents == otherAmount;
    }
}
