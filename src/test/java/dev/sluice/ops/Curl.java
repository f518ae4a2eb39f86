package dev.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code curl} binary, so requests go out exactly as an operator's do (no Content-Type on
 * a bare {@code -X POST}). Each call ends within its own {@code --max-time}.
 */
public final class Curl {

    private Curl() {
    }

    /** What a command printed and how it exited. */
    public record Result(int exitCode, String output) {

        /** The status code written by {@code -w "\n%{http_code}"}, the last line of the output. */
        public int status() {
            String[] lines = output.strip().split("\n");
            return Integer.parseInt(lines[lines.length - 1].strip());
        }

        public String body() {
            String stripped = output.strip();
            int last = stripped.lastIndexOf('\n');
            return last < 0 ? "" : stripped.substring(0, last);
        }
    }

    /** {@code curl -sS --max-time 60 -w "\n%{http_code}" <args>}: the body, then the status code. */
    /**
     * The lines starting with {@code curl} in the first {@code sh} block of the section headed
     * {@code heading} (a whole line, e.g. {@code "## Operating"}) of {@code document}: the lines a
     * reader copies, run by the tests as printed.
     */
    static List<String> documentedLines(Path document, String heading) throws IOException {
        String text = Files.readString(document);
        int section = text.indexOf("\n" + heading + "\n");
        assertThat(section).as(document + " has a '" + heading + "' section").isPositive();
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int start = text.indexOf("```sh\n", section);
        int end = text.indexOf("\n```", start + 6);
        int next = text.indexOf("\n" + level, section + 1);
        assertThat(start).as("an sh block in '" + heading + "'").isPositive().isLessThan(next < 0 ? text.length() : next);
        List<String> lines = new ArrayList<>();
        for (String line : text.substring(start + 6, end).split("\n")) {
            if (line.startsWith("curl ")) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    public static Result call(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        return run(command, Map.of());
    }

    /** {@code sh -c "<line>"} with {@code env} added to this JVM's environment. */
    static Result shell(String line, Map<String, String> env) throws IOException, InterruptedException {
        return run(List.of("sh", "-c", line), env);
    }

    private static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 120 s: " + command);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
