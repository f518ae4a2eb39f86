package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceApplication;
import dev.sluice.demo.DemoJobTopics;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's "Your own topic into your own table", as a newcomer follows it: its SQL block
 * creates the table (the file {@code DEMO_SQL} names, run by the real {@code psql -f}), its YAML block is the file named by
 * {@code spring.config.additional-location} (the property {@code SPRING_CONFIG_ADDITIONALLOCATION}
 * sets), its pasted lines are produced as {@code kafka-console-producer} with the printed
 * {@code parse.key}, {@code key.separator} and {@code null.marker} sends them, and its query, run by
 * {@code psql}, shows the row the README says. Only the printed addresses (broker, database port and
 * name) become this test's; the application starts as command 1 starts it, with the demo's creation
 * of the declared jobs' topics, the ledger off (its demo load is not the point here).
 */
class ReadmeOwnTableIT {

    static final String HEADING = "## Your own topic into your own table";
    static final String PRINTED_DATABASE = "-p 39487 -U postgres sluice";
    static final String PRINTED_BROKER = "localhost:37961";

    @TempDir
    Path directory;

    @Test
    void theSectionWorksAsPrinted() throws Exception {
        List<String> sh = blocks("sh");
        assertThat(sh).as("sh blocks: the producer, the query").hasSize(2);
        String producer = sh.get(0).strip();
        String query = sh.get(1).strip();
        assertThat(producer).startsWith("kafka-console-producer").contains(PRINTED_BROKER, "parse.key=true");
        assertThat(query).startsWith("psql ").contains(PRINTED_DATABASE, "SELECT");
        String database = freshDatabase();
        String ourDatabase = "-p " + EmbeddedInfrastructure.postgres().getPort() + " -U postgres " + database;

        Path ddl = Files.writeString(directory.resolve("orders.sql"), blocks("sql").getFirst());
        assertThat(section()).contains("`DEMO_SQL=orders.sql SPRING_CONFIG_ADDITIONALLOCATION=file:./orders.yml");
        psql("psql -h localhost " + ourDatabase + " -v ON_ERROR_STOP=1 -f " + ddl.toAbsolutePath());
        Path yaml = Files.writeString(directory.resolve("orders.yml"), blocks("yaml").getFirst());
        String url = "jdbc:postgresql://localhost:" + EmbeddedInfrastructure.postgres().getPort() + "/" + database;
        ConfigurableApplicationContext context = SpringApplication.from(SluiceApplication::main).with(DemoJobTopics.class).run(
                "--spring.config.additional-location=file:" + yaml.toAbsolutePath(),
                "--spring.kafka.bootstrap-servers=" + EmbeddedInfrastructure.bootstrapServers(),
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + EmbeddedInfrastructure.username(),
                "--server.port=0", "--sluice.payments.enabled=false").getApplicationContext();
        try {
            List<String> pasted = blocks("text").getFirst().lines().toList();
            assertThat(pasted).as("pasted lines").hasSizeGreaterThanOrEqualTo(3).anyMatch(line -> line.endsWith("|NULL"));
            consoleProduce(producer, pasted);

            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(psql(query.replace(PRINTED_DATABASE, ourDatabase)))
                            .containsPattern("(?m)^\\s*o-1\\s*\\|\\s*ada\\s*\\|\\s*15\\.00\\s*\\|\\s*2026-01-31 11:00:00\\+00\\s*$")
                            .doesNotContain("o-2")
                            .contains("(1 row)"));
            assertThat(section()).contains("`o-1 | ada | 15.00 | 2026-01-31 11:00:00+00`");
        } finally {
            context.close();
        }
    }

    /**
     * What {@code kafka-console-producer} with {@code --property parse.key=true} sends for each
     * line: the key before the first {@code key.separator}, the value after it, each UTF-8 bytes,
     * and null for a field that is exactly the {@code null.marker}.
     */
    private static void consoleProduce(String line, List<String> input) throws Exception {
        String topic = option(line, "--topic (\\S+)");
        String separator = option(line, "key\\.separator=([^'\"\\s]+)");
        String marker = option(line, "null\\.marker=([^'\"\\s]+)");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedInfrastructure.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String pasted : input) {
                int at = pasted.indexOf(separator);
                assertThat(at).as("separator in " + pasted).isPositive();
                String key = pasted.substring(0, at);
                String value = pasted.substring(at + separator.length());
                producer.send(new ProducerRecord<>(topic, bytes(key, marker), bytes(value, marker))).get();
            }
        }
    }

    private static byte[] bytes(String field, String marker) {
        return field.equals(marker) ? null : field.getBytes(StandardCharsets.UTF_8);
    }

    private static String option(String line, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(line);
        assertThat(matcher.find()).as(regex + " in " + line).isTrue();
        return matcher.group(1);
    }

    /** Runs a printed {@code psql} line with {@code sh -c}; its output, after checking it exited 0. */
    private static String psql(String line) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", line).redirectErrorStream(true);
        builder.environment().put("PGTZ", "UTC");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(line).isTrue();
        assertThat(process.exitValue()).as(line + "\n" + output).isZero();
        return output;
    }

    private static String freshDatabase() throws SQLException {
        String database = "readme_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try (Connection connection = EmbeddedInfrastructure.postgres().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        return database;
    }

    /** The section's text, from its heading to the next heading of the same level. */
    private static String section() throws IOException {
        String text = Files.readString(Path.of("README.md"));
        int start = text.indexOf("\n" + HEADING + "\n");
        assertThat(start).as("README has '" + HEADING + "'").isPositive();
        int end = text.indexOf("\n## ", start + 1);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The contents of the section's fenced blocks of {@code language}, in order. */
    private static List<String> blocks(String language) throws IOException {
        String section = section();
        List<String> blocks = new ArrayList<>();
        String fence = "```" + language + "\n";
        for (int at = section.indexOf(fence); at >= 0; at = section.indexOf(fence, at + 1)) {
            int end = section.indexOf("\n```", at + fence.length());
            blocks.add(section.substring(at + fence.length(), end + 1));
        }
        return blocks;
    }
}
