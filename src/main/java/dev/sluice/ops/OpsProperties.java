package dev.sluice.ops;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Credentials for the pipeline's write operations (drain, abort, resume).
 *
 * @param username HTTP Basic user (default ops)
 * @param password HTTP Basic password, usually from the environment variable SLUICE_OPS_PASSWORD;
 *     while unset, every write operation is refused
 */
@Validated
@ConfigurationProperties("sluice.ops")
public record OpsProperties(@DefaultValue("ops") @NotBlank String username, String password) {

    boolean writesEnabled() {
        return password != null && !password.isBlank();
    }
}
