package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testinfra.PropertiesBinding;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.origin.Origin;
import org.springframework.validation.ObjectError;

/** The {@code sluice.payments.*} keys as Boot binds them: their defaults, and bad values refused naming the key. */
class PaymentPropertiesTest {

    @Test
    void defaultsKeepAWeekOfJournalPrunedEveryMinuteInChunksOfTenThousand() {
        PaymentProperties properties = bind(Map.of());

        assertThat(properties.journalRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(properties.journalPruneInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties.journalPruneChunk()).isEqualTo(10_000);
        assertThat(properties.journalPruneTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.prunesJournal()).isTrue();
        assertThat(new PaymentProperties(properties.maxValueSize(), properties.maxNestingDepth())).isEqualTo(properties);
    }

    @Test
    void bindsTheJournalKeysAndZeroRetentionKeepsEveryRow() {
        PaymentProperties properties = bind(Map.of("sluice.payments.journal-retention", "36h",
                "sluice.payments.journal-prune-interval", "5s", "sluice.payments.journal-prune-chunk", "500",
                "sluice.payments.journal-prune-timeout", "2s"));
        PaymentProperties keepAll = bind(Map.of("sluice.payments.journal-retention", "0"));

        assertThat(properties).extracting(PaymentProperties::journalRetention, PaymentProperties::journalPruneInterval,
                PaymentProperties::journalPruneChunk, PaymentProperties::journalPruneTimeout)
                .containsExactly(Duration.ofHours(36), Duration.ofSeconds(5), 500, Duration.ofSeconds(2));
        assertThat(keepAll.prunesJournal()).isFalse();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"journal-retention, 30m", "journal-retention, -1h", "journal-retention, 3651d"})
    void refusesARetentionOutOfRangeNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> bind(Map.of("sluice.payments." + key, value)))
                .isInstanceOf(BindException.class)
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .asString().contains("sluice.payments." + key + " must be", "was ");
    }

    /** The bounds that are constraints: refused by Boot's validation, with the key as it was set as the error's origin. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "journal-prune-interval, 500ms", "journal-prune-interval, 2d",
        "journal-prune-chunk, 99", "journal-prune-chunk, 1000001", "journal-prune-chunk, 0",
        "journal-prune-timeout, 50ms", "journal-prune-timeout, 6m"})
    void refusesAnOutOfRangeValueNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> bind(Map.of("sluice.payments." + key, value)))
                .isInstanceOf(BindException.class)
                .cause()
                .isInstanceOfSatisfying(BindValidationException.class, validation -> assertThat(validation.getValidationErrors())
                        .singleElement()
                        .satisfies(error -> assertThat(Origin.from(error)).asString().contains("sluice.payments." + key))
                        .extracting(ObjectError::getDefaultMessage, InstanceOfAssertFactories.STRING)
                        .startsWith("must be"));
    }

    @Test
    void refusesAValueThatIsNoDurationNamingTheKey() {
        assertThatThrownBy(() -> bind(Map.of("sluice.payments.journal-retention", "a week")))
                .isInstanceOf(BindException.class)
                .extracting(Throwable::getMessage, InstanceOfAssertFactories.STRING)
                .contains("sluice.payments.journal-retention");
    }

    private static PaymentProperties bind(Map<String, String> values) {
        return PropertiesBinding.bind("sluice.payments", PaymentProperties.class, values);
    }
}
