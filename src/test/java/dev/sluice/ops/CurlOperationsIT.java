package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.payments.PaymentGenerator;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.testinfra.ExpectedLedger;
import dev.sluice.testinfra.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The write operations as the real {@code curl} sends them: a bare {@code -X POST} (no body, no
 * Content-Type, the request that used to get 415), query parameters, a JSON body; and the clear
 * 4xx, never a 5xx, for a wrong method, an unknown action or a bad duration.
 */
class CurlOperationsIT extends IntegrationTest {

    private static final String CREDENTIALS = "ops:" + OperationsIT.PASSWORD;

    @LocalServerPort
    int port;

    /** The port Actuator answers on: the server port here; its own port in the subclass that sets one. */
    int opsPort() {
        return port;
    }

    @BeforeEach
    void topics() {
        traffic.createTopics(2, topicName(), deadLetterTopic());
    }

    @Test
    void bareCurlPostsResumeDrainAndAbortWithoutAContentType() throws Exception {
        traffic.produce(topicName(), new PaymentGenerator(PaymentGenerator.Spec.of(prefix("bare"), 10)), 200, new ExpectedLedger());

        Curl.Result resumed = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume"));
        assertThat(resumed.status()).as(resumed.output()).isEqualTo(200);
        assertThat(resumed.body()).contains("\"state\":\"RUNNING\"");
        await(Duration.ofSeconds(60)).until(() -> pipeline.status().totals().written() >= 200);

        Curl.Result drained = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?wait=30s"));
        assertThat(drained.status()).as(drained.output()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"state\":\"STOPPED\"", "\"mode\":\"drain\"");

        assertThat(Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume")).status()).isEqualTo(200);
        Curl.Result aborted = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/abort?wait=10s"));
        assertThat(aborted.status()).as(aborted.output()).isEqualTo(200);
        assertThat(aborted.body()).contains("\"state\":\"STOPPED\"", "\"mode\":\"abort\"");
        assertThat(pipeline.status().state()).isEqualTo(PipelineState.STOPPED);
    }

    @Test
    void aJsonBodyCarriesTheParametersAsWell() throws Exception {
        assertThat(Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/resume")).status()).isEqualTo(200);

        Curl.Result drained = Curl.call("-u", CREDENTIALS, "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"wait\":\"20s\",\"deadline\":\"10s\"}", url("/actuator/pipeline/drain"));

        assertThat(drained.status()).as(drained.output()).isEqualTo(200);
        assertThat(drained.body()).contains("\"done\":true", "\"state\":\"STOPPED\"");
    }

    @Test
    void badDurationsAndUnknownActionsAnswer400WithAMessage() throws Exception {
        Curl.Result badWait = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?wait=thirty"));
        assertThat(badWait.status()).isEqualTo(400);
        assertThat(badWait.body()).contains("wait='thirty' is not a duration");

        Curl.Result negative = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/drain?deadline=-5s"));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body()).contains("deadline='-5s' is negative");

        Curl.Result unknown = Curl.call("-u", CREDENTIALS, "-X", "POST", url("/actuator/pipeline/reboot"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown action 'reboot'; use drain, abort or resume");

        assertThat(pipeline.status().state()).as("nothing was started").isEqualTo(PipelineState.STOPPED);
    }

    @Test
    void wrongMethodsAnswer405WithAMessage() throws Exception {
        for (String method : new String[] {"GET", "PUT", "DELETE"}) {
            Curl.Result wrong = Curl.call("-u", CREDENTIALS, "-X", method, url("/actuator/pipeline/drain"));
            assertThat(wrong.status()).as(method + ": " + wrong.output()).isEqualTo(405);
            assertThat(wrong.body()).as(method).contains("not supported");
        }
        Curl.Result deleteStatus = Curl.call("-u", CREDENTIALS, "-X", "DELETE", url("/actuator/pipeline"));
        assertThat(deleteStatus.status()).as(deleteStatus.output()).isEqualTo(405);
    }

    @Test
    void writesWithoutTheOpsCredentialsAnswer401AndDoNothing() throws Exception {
        Curl.Result anonymous = Curl.call("-X", "POST", url("/actuator/pipeline/resume"));
        Curl.Result wrong = Curl.call("-u", "ops:not-the-password", "-X", "POST", url("/actuator/pipeline/resume"));

        assertThat(anonymous.status()).as(anonymous.output()).isEqualTo(401);
        assertThat(wrong.status()).as(wrong.output()).isEqualTo(401);
        assertThat(pipeline.status().state()).as("nothing was started").isEqualTo(PipelineState.STOPPED);
        assertThat(Curl.call(url("/actuator/pipeline")).status()).as("the status stays open to probes").isEqualTo(200);
    }

    @Test
    void anotherContentTypeIsStillRefusedWithA4xx() throws Exception {
        Curl.Result text = Curl.call("-u", CREDENTIALS, "-X", "POST", "-H", "Content-Type: text/plain", "-d", "drain",
                url("/actuator/pipeline/drain"));
        assertThat(text.status()).as(text.output()).isEqualTo(415);
    }

    private String url(String path) {
        return "http://localhost:" + opsPort() + path;
    }
}
