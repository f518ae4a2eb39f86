package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One property turns the operator log lines into JSON (Boot's structured logging). */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    @Configuration(proxyBeanMethods = false)
    static class Nothing {
    }

    @Test
    void stateChangesAreLoggedAsJsonWithOneProperty(CapturedOutput output) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Nothing.class)
                .web(WebApplicationType.NONE)
                .properties("logging.structured.format.console=ecs", "spring.main.banner-mode=off")
                .run()) {
            new Lifecycle().moveTo(PipelineState.RUNNING);
        }
        String line = output.getOut().lines().filter(l -> l.contains("STOPPED -> RUNNING")).findFirst().orElseThrow();
        JsonNode json = JsonMapper.shared().readTree(line);
        assertThat(json.path("message").asString()).isEqualTo("pipeline STOPPED -> RUNNING");
        assertThat(json.path("log").path("level").asString()).isEqualTo("INFO");
        assertThat(json.path("@timestamp").asString()).isNotBlank();
    }
}
