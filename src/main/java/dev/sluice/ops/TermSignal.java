package dev.sluice.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;
import sun.misc.Signal;

/**
 * Makes SIGTERM a normal, orderly exit: close the context (every job's pipeline drains or aborts first, per
 * {@code sluice.shutdown.mode}), then exit with Spring Boot's exit code, 0 when all went well. The
 * JVM's default handler would run the same shutdown but report 143, which orchestrators and
 * scripts read as a failure. Installed once the application is ready.
 */
@Component
class TermSignal implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(TermSignal.class);

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        ConfigurableApplicationContext context = event.getApplicationContext();
        if (context.getParent() != null) {
            return;
        }
        try {
            Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().name("sluice-sigterm").start(() -> {
                log.info("SIGTERM: stopping every job's pipeline ({}), then exiting",
                        context.getEnvironment().getProperty("sluice.shutdown.mode", "drain"));
                System.exit(SpringApplication.exit(context));
            }));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("cannot handle SIGTERM here ({}); the JVM's default shutdown still drains, exit status 143", e.toString());
        }
    }
}
