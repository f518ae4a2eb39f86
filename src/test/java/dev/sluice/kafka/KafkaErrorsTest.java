package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Kafka rows of the README's "Failure handling" table. */
class KafkaErrorsTest {

    static Stream<Throwable> retriable() {
        return Stream.of(
                new TimeoutException("Topic payments.DLT not present in metadata after 10000 ms."),
                new NetworkException("connection lost"),
                new DisconnectException("disconnected"),
                new NotLeaderOrFollowerException("leader moved"),
                new UnknownTopicOrPartitionException("not yet created"),
                new CoordinatorNotAvailableException("coordinator loading"),
                new NotCoordinatorException("coordinator moved"),
                new NotEnoughReplicasException("isr too small"),
                new KafkaException("request failed", new TimeoutException("timed out")),
                new KafkaException("outer", new KafkaException("middle", new NetworkException("inner"))));
    }

    static Stream<Throwable> fatal() {
        return Stream.of(
                new SaslAuthenticationException("bad password"),
                new TopicAuthorizationException("no ACL"),
                new GroupAuthorizationException("no ACL"),
                new AuthorizationException("no ACL"),
                new RecordTooLargeException("too large"),
                new InvalidTopicException("bad name"),
                new ProducerFencedException("fenced"),
                new FencedInstanceIdException("fenced"),
                new SerializationException("cannot serialize"),
                new ConfigException("bad config"),
                new CommitFailedException(),
                new InterruptException(new InterruptedException()),
                new WakeupException(),
                new IllegalStateException("client closed"),
                new KafkaException("unknown"),
                new SaslAuthenticationException("auth failed", new TimeoutException("while authenticating")));
    }

    @ParameterizedTest
    @MethodSource("retriable")
    void retriesWhatThePassingOfTimeCanFix(Throwable error) {
        assertThat(KafkaErrors.isRetriable(error)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("fatal")
    void stopsOnWhatRetryingCannotFix(Throwable error) {
        try {
            assertThat(KafkaErrors.isRetriable(error)).isFalse();
        } finally {
            Thread.interrupted(); // InterruptException's constructor sets this thread's flag
        }
    }

    @Test
    void treatsNullAsFatal() {
        assertThat(KafkaErrors.isRetriable(null)).isFalse();
    }

    @Test
    void namesTheInnermostKafkaExceptionForMetrics() {
        assertThat(KafkaErrors.causeName(new TimeoutException("t"))).isEqualTo("TimeoutException");
        assertThat(KafkaErrors.causeName(new KafkaException("wrapped", new NetworkException("n")))).isEqualTo("NetworkException");
        assertThat(KafkaErrors.causeName(new IllegalStateException("x", new RuntimeException("y")))).isEqualTo("IllegalStateException");
        assertThat(KafkaErrors.causeName(null)).isEqualTo("unknown");
    }
}
