package dev.sluice.payments;

import org.springframework.test.context.TestPropertySource;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same end-to-end flow on Testcontainers ({@code apache/kafka}, {@code postgres}, wired by
 * {@code @ServiceConnection}), whatever {@code sluice.test.infra} says for the rest. Skipped
 * where no Docker engine answers; the embedded run of {@link LedgerFlowIT} covers the path then.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestPropertySource(properties = "sluice.test.infra=testcontainers")
class LedgerFlowContainersIT extends LedgerFlowIT {
}
