package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The {@code curl} lines of the README's "Operating" section, exactly as printed, run with
 * {@code sh -c} against a live instance: only {@code localhost:8081} becomes this instance's port
 * and {@code $SLUICE_OPS_PASSWORD} comes from the environment, as the README tells the reader.
 */
class ReadmeOperatingIT extends IntegrationTest {

    static final String PRINTED_ADDRESS = "localhost:8081";

    @LocalServerPort
    int port;

    /** The port Actuator answers on: the server port here; its own port in the subclass that sets one. */
    int opsPort() {
        return port;
    }

    @Test
    void everyCurlLineOfTheOperatingSectionWorksAsPrinted() throws Exception {
        List<String> lines = operatingCurlLines();
        assertThat(lines).as("curl lines in README 'Operating'").hasSizeGreaterThanOrEqualTo(6)
                .anyMatch(line -> line.contains("-X POST localhost:8081/actuator/pipeline/drain") && !line.contains("Content-Type"))
                .allMatch(line -> line.contains(PRINTED_ADDRESS));
        traffic.createTopics(2, topicName(), deadLetterTopic());
        traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix("readme"), 20)), 1000, new ExpectedLedger());
        pipeline.resume();
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() > 0);

        for (String line : lines) {
            String command = line.replace(PRINTED_ADDRESS, "localhost:" + opsPort());
            Curl.Result result = Curl.shell(command, Map.of("SLUICE_OPS_PASSWORD", OperationsIT.PASSWORD));

            if (line.contains("/actuator/health/readiness")) {
                int expected = pipeline.status().state() == PipelineState.RUNNING ? 0 : 22;
                assertThat(result.exitCode()).as(line + "\n" + result.output()).isEqualTo(expected);
                continue;
            }
            assertThat(result.exitCode()).as(line + "\n" + result.output()).isZero();
            assertThat(result.output()).as(line).doesNotContain("\"status\":4", "\"status\":5");
            if (line.contains("/drain") || line.contains("/abort")) {
                await(Duration.ofSeconds(60)).until(() -> pipeline.status().state() == PipelineState.STOPPED);
                assertThat(pipeline.status().lastStop().mode()).as(line).isEqualTo(line.contains("/drain") ? "drain" : "abort");
            } else if (line.contains("/resume")) {
                assertThat(pipeline.status().state()).as(line).isEqualTo(PipelineState.RUNNING);
            } else if (line.endsWith("/actuator/health") || line.contains("/actuator/health ")) {
                assertThat(result.output()).as("details for the ops credentials").contains("\"components\"", "\"pipeline\"");
            } else {
                assertThat(result.output()).as(line).contains("\"state\"");
            }
        }
    }

    @Test
    void healthShowsDetailsOnlyToTheOpsCredentials() throws Exception {
        Curl.Result anonymous = Curl.call("http://localhost:" + opsPort() + "/actuator/health");
        Curl.Result authorized = Curl.call("-u", "ops:" + OperationsIT.PASSWORD, "http://localhost:" + opsPort() + "/actuator/health");

        assertThat(anonymous.body()).contains("\"status\"").doesNotContain("\"components\"", "\"details\"");
        assertThat(authorized.body()).contains("\"components\"", "\"pipeline\"");
    }

    /** The lines starting with {@code curl} in the first sh block after "## Operating". */
    static List<String> operatingCurlLines() throws IOException {
        return Curl.documentedLines(Path.of("README.md"), "## Operating");
    }
}
