package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jobs.JobDefinition.Deletes;
import dev.sluice.jobs.JobDefinition.Format;
import dev.sluice.jobs.JobDefinition.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@code sluice.jobs.*} as Boot binds it: defaults filled in, declaration order kept, a bad definition named. */
class JobsPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(JobsProperties.class)
    static class Bound {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void bindsJobsInDeclarationOrderWithTheirDefaults() {
        runner.withPropertyValues("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=shop.orders",
                        "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.key=id", "sluice.jobs.orders.columns.id=@key",
                        "sluice.jobs.orders.columns.updated_at=/updatedAt", "sluice.jobs.orders.version=updated_at",
                        "sluice.jobs.orders.deletes=tombstone", "sluice.jobs.audit.topic=audit", "sluice.jobs.audit.table=audit",
                        "sluice.jobs.audit.format=avro", "sluice.jobs.audit.group=audit-sink",
                        "sluice.jobs.audit.columns.at=@timestamp")
                .run(context -> {
                    JobsProperties properties = context.getBean(JobsProperties.class);

                    assertThat(properties.jobs()).containsOnlyKeys("orders", "audit");
                    assertThat(properties.jobs().get("orders")).isEqualTo(new JobDefinition("orders", "orders", "orders.DLT",
                            Format.JSON, "shop.orders", Mode.UPSERT, List.of("id"),
                            java.util.Map.of("id", "@key", "updated_at", "/updatedAt"), Deletes.TOMBSTONE, "updated_at"));
                    assertThat(properties.jobs().get("audit")).satisfies(audit -> {
                        assertThat(audit.format()).isEqualTo(Format.AVRO);
                        assertThat(audit.group()).isEqualTo("audit-sink");
                        assertThat(audit.mode()).isEqualTo(Mode.INSERT);
                        assertThat(audit.deletes()).isEqualTo(Deletes.NONE);
                        assertThat(audit.key()).isEmpty();
                    });
                });
    }

    @Test
    void noJobsIsAnEmptyMap() {
        runner.run(context -> assertThat(context.getBean(JobsProperties.class).jobs()).isEmpty());
    }

    @Test
    void aBadDefinitionFailsStartupNamingTheProperty() {
        runner.withPropertyValues("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                        "sluice.jobs.orders.mode=upsret", "sluice.jobs.orders.columns.id=@key")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("upsret"));
        runner.withPropertyValues("sluice.jobs.orders.topic=orders", "sluice.jobs.orders.table=orders",
                        "sluice.jobs.orders.mode=upsert", "sluice.jobs.orders.columns.id=@key")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessage("sluice.jobs.orders.key is required for mode upsert: name the table's key columns"));
    }

    @Test
    void theFailureAnalysisNamesThePropertyToFix() {
        JobDefinitionException refusal = new JobDefinitionException("sluice.jobs.orders.columns.amunt",
                "column amunt does not exist in table public.orders");

        FailureAnalysis analysis = new JobDefinitionFailureAnalyzer().analyze(new IllegalStateException(refusal));

        assertThat(analysis.getDescription()).contains(
                "sluice.jobs.orders.columns.amunt: column amunt does not exist in table public.orders");
        assertThat(analysis.getAction()).startsWith("Fix sluice.jobs.orders.columns.amunt");
    }
}
