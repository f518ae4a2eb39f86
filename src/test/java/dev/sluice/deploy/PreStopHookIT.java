package dev.sluice.deploy;

import static dev.sluice.deploy.SluiceChart.sets;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The chart's preStop hook as the kubelet runs it: the command rendered by {@code helm template},
 * run with {@code sh -c} and the environment the pod gets (the rendered env, secrets decoded from
 * the rendered Secret), against a live Sluice. Only the port is moved to this instance's.
 */
class PreStopHookIT extends IntegrationTest {

    @LocalServerPort
    int port;

    /** The port Actuator answers on: the server port here; its own port in the subclass that sets one. */
    int opsPort() {
        return port;
    }

    @Test
    void renderedPreStopDrainsToStoppedAndExitsZero() throws Exception {
        startWithTraffic("prestop-drain");

        Hook hook = runPreStop(sets("ops.password", "test-ops-secret", "shutdown.mode", "drain"));

        assertThat(hook.exitCode()).as(hook.output()).isZero();
        assertThat(hook.command()).contains("/actuator/pipeline/drain?wait=30s");
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
        assertThat(pipeline.status().lastStop().mode()).isEqualTo("drain");
        assertThat(pipeline.status().inFlight()).isZero();
    }

    @Test
    void renderedPreStopAbortsToStoppedAndExitsZeroWhenTheModeIsAbort() throws Exception {
        startWithTraffic("prestop-abort");

        Hook hook = runPreStop(sets("ops.password", "test-ops-secret", "shutdown.mode", "abort"));

        assertThat(hook.exitCode()).as(hook.output()).isZero();
        assertThat(hook.command()).contains("/actuator/pipeline/abort?wait=30s");
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
        assertThat(pipeline.status().lastStop().mode()).isEqualTo("abort");
    }

    @Test
    void renderedPreStopFailsWithAWrongPassword() throws Exception {
        startWithTraffic("prestop-refused");

        Hook hook = runPreStop(sets("ops.password", "not-the-password"));

        assertThat(hook.exitCode()).as("curl -f exits non-zero on the 401").isNotZero();
        assertThat(hook.output()).contains("401");
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.RUNNING);
    }

    private void startWithTraffic(String name) {
        traffic.createTopics(2, topicName(), deadLetterTopic());
        traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix(name), 20)), 2000, new ExpectedLedger());
        pipeline.resume();
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() > 0);
    }

    /** What the hook printed and how it exited, with the command it ran. */
    record Hook(String command, int exitCode, String output) {
    }

    private Hook runPreStop(Map<String, Object> values) throws IOException, InterruptedException {
        RenderedChart chart = SluiceChart.render(values);
        List<String> exec = chart.preStopCommand();
        assertThat(exec.subList(0, 2)).containsExactly("sh", "-c");
        String rendered = exec.get(2);
        assertThat(rendered).contains("http://localhost:8081/");
        String command = rendered.replace("http://localhost:8081/", "http://localhost:" + opsPort() + "/");

        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        builder.environment().putAll(chart.podEnvironment());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the hook ends within curl's --max-time").isTrue();
        return new Hook(command, process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
