package dev.sluice.process;

import java.util.List;
import org.apache.kafka.common.GroupType;

/** The consumer-group protocol a service process is configured with, as command-line arguments. */
enum GroupProtocol {

    /**
     * The classic protocol with the cooperative-sticky assignor Sluice sets for it. A 6 s session (the
     * broker's minimum) lets a killed member's partitions move in seconds rather than the default 45 s.
     */
    CLASSIC(GroupType.CLASSIC, List.of(
            "--spring.kafka.consumer.properties.session.timeout.ms=6000",
            "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000")),

    /**
     * KIP-848: the broker assigns and sets the session timeout. Exactly what the README tells a user
     * to set: the protocol alone (Sluice names no client assignor for it).
     */
    CONSUMER(GroupType.CONSUMER, List.of(
            "--spring.kafka.consumer.properties.group.protocol=consumer"));

    private final GroupType type;
    private final List<String> args;

    GroupProtocol(GroupType type, List<String> args) {
        this.type = type;
        this.args = args;
    }

    /** The group type the broker reports for a group formed with this protocol. */
    GroupType type() {
        return type;
    }

    List<String> args() {
        return args;
    }
}
