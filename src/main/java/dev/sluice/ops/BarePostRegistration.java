package dev.sluice.ops;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Puts {@link BarePostContentType} in front of Actuator wherever Boot serves it: in the application's
 * context when Actuator shares {@code server.port}, and in Boot's management child context when
 * {@code management.server.port} differs (that context has filters of its own, so a registration in
 * the main context would not reach it, and a bare {@code curl -X POST} would answer 415 there).
 *
 * <p>Listed in {@code META-INF/spring/...ManagementContextConfiguration.imports}, which Boot imports
 * into whichever context serves the endpoints. Deliberately not annotated: a
 * {@code @ManagementContextConfiguration} would also be picked up by component scanning into the main
 * context, registering the filter twice in the shared-port layout.
 */
class BarePostRegistration {

    @Bean
    FilterRegistrationBean<BarePostContentType> barePostContentType() {
        FilterRegistrationBean<BarePostContentType> registration = new FilterRegistrationBean<>(new BarePostContentType());
        registration.addUrlPatterns("/actuator/*");
        return registration;
    }
}
