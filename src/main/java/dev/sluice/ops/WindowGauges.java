package dev.sluice.ops;

import dev.sluice.pipeline.AdaptiveWindow;
import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.pipeline.PipelineControl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * {@code sluice.window.*}: the in-flight window, why it has its size, and the λ and W it was set
 * from, per job ({@code job=<name>}), read from its pipeline's published status at each scrape.
 * Thread-safe: stateless.
 */
@Component
class WindowGauges {

    WindowGauges(Pipelines pipelines) {
        for (JobPipeline job : pipelines.all()) {
            register(job.meters(), job.pipeline());
        }
    }

    private static void register(MeterRegistry registry, PipelineControl pipeline) {
        Gauge.builder("sluice.window.records", pipeline, p -> p.status().window().records())
                .description("Records in flight at which the source pauses (the adaptive or fixed window)").register(registry);
        Gauge.builder("sluice.window.needed", pipeline, p -> p.status().window().needed())
                .description("L = λ·W: records in flight the measured traffic needs, before headroom").register(registry);
        Gauge.builder("sluice.window.arrival.rate", pipeline, p -> p.status().window().arrivalRate())
                .description("λ: records committed per second in the window's last sample").register(registry);
        Gauge.builder("sluice.window.time.in.system", pipeline, p -> p.status().window().timeInSystemMillis() / 1000.0)
                .baseUnit("seconds").description("W: mean time from poll to commit in the window's last sample").register(registry);
        for (AdaptiveWindow.Reason reason : AdaptiveWindow.Reason.values()) {
            String name = reason.name().toLowerCase(Locale.ROOT);
            Gauge.builder("sluice.window.reason", pipeline, p -> p.status().window().reason().equals(name) ? 1 : 0)
                    .tag("reason", name).description("1 for the reason the window has its current size").register(registry);
        }
    }
}
