package dev.sluice.postgres;

import dev.sluice.kafka.ReplayProperties;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The dead-letter replay's journal, on the application's DataSource; a statement waits at most {@code sluice.replay.request-timeout}. */
@Configuration(proxyBeanMethods = false)
class ReplayJournalConfiguration {

    @Bean
    PostgresReplayJournal replayJournal(DataSource dataSource, ReplayProperties bounds) {
        return new PostgresReplayJournal(dataSource, bounds.requestTimeout());
    }
}
