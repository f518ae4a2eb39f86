package dev.sluice.payments;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Parsing bounds for payment values: input beyond them is dead-lettered as {@code malformed}
 * before it can cost memory or CPU.
 *
 * @param maxValueSize largest value accepted (default 16KB: a payment is ~150 bytes; the rest is
 *     room for unknown fields)
 * @param maxNestingDepth deepest JSON nesting accepted, unknown fields included (default 16)
 * @param enabled run the payments ledger job (default true); false for a process that runs only
 *     other jobs
 */
@Validated
@ConfigurationProperties("sluice.payments")
public record PaymentProperties(
        @DefaultValue("16KB") DataSize maxValueSize,
        @DefaultValue("16") @Min(1) @Max(1000) int maxNestingDepth,
        @DefaultValue("true") boolean enabled) {

    /** The ledger enabled, with these parsing bounds. */
    public PaymentProperties(DataSize maxValueSize, int maxNestingDepth) {
        this(maxValueSize, maxNestingDepth, true);
    }

    @ConstructorBinding
    public PaymentProperties {
        if (maxValueSize == null || maxValueSize.toBytes() < 256 || maxValueSize.toMegabytes() > 64) {
            throw new IllegalArgumentException("sluice.payments.max-value-size must be between 256B and 64MB, was " + maxValueSize);
        }
    }
}
