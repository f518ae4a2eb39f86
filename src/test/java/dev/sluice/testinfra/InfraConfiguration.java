package dev.sluice.testinfra;

import java.util.List;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The single place that decides which Kafka and PostgreSQL a test context connects to (see
 * {@link InfraMode}). Each mode contributes Boot {@code ConnectionDetails}, so the application
 * and the tests' own clients read the same addresses from the context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class InfraConfiguration {

    @TestConfiguration(proxyBeanMethods = false)
    @Conditional(EmbeddedMode.class)
    static class Embedded {

        @Bean
        KafkaConnectionDetails kafkaConnectionDetails() {
            String servers = EmbeddedInfrastructure.bootstrapServers();
            return () -> List.of(servers.split(","));
        }

        @Bean
        JdbcConnectionDetails jdbcConnectionDetails() {
            String url = EmbeddedInfrastructure.jdbcUrl();
            return new JdbcConnectionDetails() {
                @Override
                public String getUsername() {
                    return EmbeddedInfrastructure.username();
                }

                @Override
                public String getPassword() {
                    return "";
                }

                @Override
                public String getJdbcUrl() {
                    return url;
                }
            };
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    @Conditional(ContainersMode.class)
    static class Containers {

        @Bean
        @ServiceConnection
        KafkaContainer kafkaContainer() {
            return SharedContainers.kafka();
        }

        @Bean
        @ServiceConnection
        PostgreSQLContainer postgresContainer() {
            return SharedContainers.postgres();
        }
    }

    static final class EmbeddedMode implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return InfraMode.forContext(context.getEnvironment().getProperty("sluice.test.infra")) == InfraMode.EMBEDDED;
        }
    }

    static final class ContainersMode implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return InfraMode.forContext(context.getEnvironment().getProperty("sluice.test.infra")) == InfraMode.TESTCONTAINERS;
        }
    }
}
