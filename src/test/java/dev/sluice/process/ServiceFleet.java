package dev.sluice.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.awaitility.Awaitility;

/**
 * The service processes of one test: one topic, one dead-letter topic, one consumer group, and any
 * number of instances started from the packaged jar with the same configuration. Each instance's
 * consumer client id starts with its name, so the group's members can be told apart. Closing kills
 * whatever still runs. Used by the test thread only.
 */
final class ServiceFleet implements AutoCloseable {

    static final String OPS_PASSWORD = "process-test-secret";
    /**
     * Small heap, serial GC and C1 only: several service JVMs, the broker, PostgreSQL and the test
     * share two cores here, and start-up CPU (C2 compiling) is what makes a restart slow.
     */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final ProcessInfrastructure infra;
    private final String name;
    private final String topic;
    private final String deadLetterTopic;
    private final String group;
    private final GroupProtocol protocol;
    private final List<String> extraArgs;
    private final Path jar;
    private final Path logs;
    private final Admin admin;
    private final List<ServiceProcess> started = new ArrayList<>();

    ServiceFleet(String name, GroupProtocol protocol, List<String> extraArgs) {
        this.infra = ProcessInfrastructure.current();
        this.name = name;
        this.topic = "payments-" + name;
        this.deadLetterTopic = topic + ".DLT";
        this.group = "sluice-" + name;
        this.protocol = protocol;
        this.extraArgs = List.copyOf(extraArgs);
        this.jar = packagedJar();
        this.logs = buildDirectory().resolve("process-logs");
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()));
    }

    ProcessInfrastructure infra() {
        return infra;
    }

    String topic() {
        return topic;
    }

    String deadLetterTopic() {
        return deadLetterTopic;
    }

    String group() {
        return group;
    }

    /** Starts one more instance named {@code instance} (also its log file's name). */
    ServiceProcess start(String instance) {
        return start(instance, List.of());
    }

    /** Like {@link #start(String)}, with arguments of this instance alone (after the fleet's). */
    ServiceProcess start(String instance, List<String> instanceArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--sluice.source.topic=" + topic,
                "--sluice.source.dead-letter-topic=" + deadLetterTopic,
                "--spring.kafka.consumer.group-id=" + group,
                "--spring.kafka.consumer.client-id=" + instance));
        args.addAll(protocol.args());
        args.addAll(extraArgs);
        args.addAll(instanceArgs);
        Map<String, String> env = Map.of(
                "SPRING_KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers(),
                "SPRING_DATASOURCE_URL", infra.jdbcUrl(),
                "SPRING_DATASOURCE_USERNAME", infra.username(),
                "SPRING_DATASOURCE_PASSWORD", infra.password(),
                "SLUICE_OPS_PASSWORD", OPS_PASSWORD);
        ServiceProcess process = ServiceProcess.start(instance, jar, JVM_OPTIONS, env, args, logs.resolve(name + "-" + instance + ".log"));
        started.add(process);
        return process;
    }

    /** A member of the group as the broker describes it. */
    record Member(String clientId, Set<Integer> partitions) {
    }

    /** The group's type and members; no members when the group does not exist (yet). */
    record GroupView(GroupType type, List<Member> members) {

        Set<Integer> partitionsOf(ServiceProcess instance) {
            return members.stream().filter(m -> m.clientId().startsWith(instance.name()))
                    .flatMap(m -> m.partitions().stream()).collect(Collectors.toSet());
        }

        Set<Integer> assigned() {
            return members.stream().flatMap(m -> m.partitions().stream()).collect(Collectors.toSet());
        }
    }

    GroupView describe() {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            List<Member> members = description.members().stream()
                    .map(m -> new Member(m.clientId(), m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(topic)).map(tp -> tp.partition()).collect(Collectors.toSet())))
                    .toList();
            return new GroupView(description.type(), members);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return new GroupView(GroupType.UNKNOWN, List.of());
            }
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until each of {@code instances} is a member of the group with at least one partition. */
    GroupView awaitAssigned(Duration atMost, ServiceProcess... instances) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            Stream.of(instances).forEach(ServiceProcess::requireAlive);
            return describe();
        }, view -> Stream.of(instances).allMatch(i -> !view.partitionsOf(i).isEmpty()));
    }

    @Override
    public void close() {
        started.stream().filter(ServiceProcess::isAlive).forEach(ServiceProcess::kill9);
        admin.close(Duration.ofSeconds(5));
    }

    /** The Boot jar that {@code package} built (integration tests run after it). */
    static Path packagedJar() {
        Path target = buildDirectory();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("sluice-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-plain.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no packaged sluice-*.jar in " + target.toAbsolutePath()
                            + ": run the process tests with ./mvnw verify (failsafe runs after package)"));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + target.toAbsolutePath()
                    + ": run the process tests with ./mvnw verify (failsafe runs after package)", e);
        }
    }

    private static Path buildDirectory() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target");
    }
}
