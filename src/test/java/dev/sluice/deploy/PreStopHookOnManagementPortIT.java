package dev.sluice.deploy;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;

/**
 * The same rendered preStop hook with Actuator on its own {@code management.server.port} (Boot then serves it from
 * a child context with filters of its own), as a user who keeps operations off the service port
 * runs it: every request goes to the management port.
 */
@TestPropertySource(properties = "management.server.port=0")
class PreStopHookOnManagementPortIT extends PreStopHookIT {

    @LocalManagementPort
    int managementPort;

    @Override
    int opsPort() {
        return managementPort;
    }
}
