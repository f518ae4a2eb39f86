package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PaymentPublisherTest {

    @Test
    void argumentsOverrideTheDefaults() {
        assertThat(PaymentPublisher.options("--count=5", "--topic=orders", "--bootstrap-servers=b:9092"))
                .containsEntry("count", "5").containsEntry("topic", "orders").containsEntry("bootstrap-servers", "b:9092")
                .containsEntry("rate", "0").containsEntry("duplicates", "0.05");
    }

    @Test
    void anUnknownOrMalformedArgumentIsAnErrorThatListsTheKnownNames() {
        assertThatThrownBy(() -> PaymentPublisher.options("--cuont=5"))
                .hasMessageContaining("unknown option --cuont").hasMessageContaining("count");
        assertThatThrownBy(() -> PaymentPublisher.options("count=5")).hasMessageContaining("--name=value");
    }
}
