package dev.sluice.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may do what on the management port: health (with liveness and readiness), Prometheus, info
 * and the pipeline status are open, so probes and scrapers need no secret; every other request
 * (drain, abort, resume, metrics) needs HTTP Basic as {@code sluice.ops.username} with
 * {@code sluice.ops.password}. With no password configured there is no user at all, so those
 * requests are refused rather than left open.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class OpsSecurityConfiguration {

    static final String ROLE = "OPS";
    private static final Logger log = LoggerFactory.getLogger(OpsSecurityConfiguration.class);

    @Bean
    SecurityFilterChain opsSecurity(HttpSecurity http, OpsProperties ops) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/pipeline").permitAll()
                        .anyRequest().access((authentication, context) -> new org.springframework.security.authorization.AuthorizationDecision(
                                ops.writesEnabled() && authentication.get().getAuthorities().stream()
                                        .anyMatch(a -> a.getAuthority().equals("ROLE_" + ROLE)))))
                .httpBasic(Customizer.withDefaults())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    UserDetailsService opsUsers(OpsProperties ops) {
        if (!ops.writesEnabled()) {
            log.warn("sluice.ops.password (env SLUICE_OPS_PASSWORD) is not set: drain, abort and resume over HTTP are refused");
            return new InMemoryUserDetailsManager();
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(ops.username())
                .password(encoder.encode(ops.password())).roles(ROLE).build());
    }
}
