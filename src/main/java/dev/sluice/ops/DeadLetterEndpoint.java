package dev.sluice.ops;

import dev.sluice.engine.Engine;
import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import dev.sluice.kafka.DeadLetterReplay;
import dev.sluice.kafka.ReplayFilter;
import dev.sluice.kafka.ReplayJournal;
import dev.sluice.kafka.ReplayProperties;
import dev.sluice.kafka.ReplayReport;
import dev.sluice.kafka.SourceProperties;
import dev.sluice.pipeline.RejectReason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/deadletters}: a dry-run count of the dead letters a filter selects
 * ({@code GET}), and their replay to the source topic ({@code POST /actuator/deadletters/replay}).
 * Both need the ops credentials (dead letters hold payment data). Filters, all optional, as query
 * parameters: {@code reason} (comma-separated), {@code partition}, {@code fromOffset},
 * {@code toOffset} (source offsets, inclusive), {@code since}, {@code until} (ISO-8601 instants
 * of dead-lettering), {@code limit}; {@code dryRun=true} on the POST only counts. A real replay
 * needs a filter or {@code all=true} (a bare POST would send back everything). The call blocks
 * until the run ends and answers with its {@link ReplayReport}; 409 while another replay runs, on
 * this pod or any other. {@code job=<name>} picks a job's dead-letter topic and replays to its
 * topic; without it, the ledger's ({@code sluice.source.*}).
 */
@Component
@Endpoint(id = "deadletters")
class DeadLetterEndpoint {

    private final DeadLetterReplay replay;
    /** Each job's replay, by job name; the ledger's is {@code replay}. */
    private final Map<String, DeadLetterReplay> jobs = new LinkedHashMap<>();

    DeadLetterEndpoint(DeadLetterReplay replay, Pipelines pipelines, ConsumerFactory<?, ?> consumers,
            ProducerFactory<?, ?> producers, SourceProperties source, ReplayProperties bounds, ReplayJournal journal) {
        this.replay = replay;
        for (JobPipeline job : pipelines.all()) {
            boolean ledgers = job.job().topic().equals(source.topic()) && job.job().deadLetterTopic().equals(source.deadLetterTopic());
            jobs.put(job.name(), ledgers ? replay
                    : new DeadLetterReplay(consumers, producers, Engine.source(source, job.job()), bounds, journal));
        }
    }

    @ReadOperation
    WebEndpointResponse<Object> count(@Nullable String reason, @Nullable Integer partition, @Nullable Long fromOffset,
            @Nullable Long toOffset, @Nullable String since, @Nullable String until, @Nullable Long limit,
            @Nullable String job) {
        return run(job, true, false, reason, partition, fromOffset, toOffset, since, until, limit);
    }

    @WriteOperation
    WebEndpointResponse<Object> replay(@Selector String action, @Nullable String reason, @Nullable Integer partition,
            @Nullable Long fromOffset, @Nullable Long toOffset, @Nullable String since, @Nullable String until,
            @Nullable Long limit, @Nullable Boolean dryRun, @Nullable Boolean all, @Nullable String job) {
        if (!action.equals("replay")) {
            return new WebEndpointResponse<>(new Refusal("unknown action " + action + "; use replay"), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        return run(job, Boolean.TRUE.equals(dryRun), Boolean.TRUE.equals(all), reason, partition, fromOffset, toOffset, since, until,
                limit);
    }

    private WebEndpointResponse<Object> run(@Nullable String job, boolean dryRun, boolean all, @Nullable String reason, @Nullable Integer partition,
            @Nullable Long fromOffset, @Nullable Long toOffset, @Nullable String since, @Nullable String until, @Nullable Long limit) {
        DeadLetterReplay target = job == null || job.isBlank() ? replay : jobs.get(job.strip());
        if (target == null) {
            return new WebEndpointResponse<>(new Refusal("unknown job '" + job + "'; jobs: " + String.join(", ", jobs.keySet())),
                    WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        ReplayFilter filter;
        try {
            filter = new ReplayFilter(reasons(reason), partition, fromOffset, toOffset, instant("since", since),
                    instant("until", until), limit);
        } catch (IllegalArgumentException e) {
            return new WebEndpointResponse<>(new Refusal(e.getMessage()), WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        if (!dryRun && !all && filter.selectsEverything()) {
            return new WebEndpointResponse<>(new Refusal("a replay without a filter sends back every dead letter on the topic:"
                    + " narrow it (reason, partition, fromOffset, toOffset, since, until, limit) or say all=true"),
                    WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        try {
            ReplayReport report = target.replay(filter, dryRun);
            return new WebEndpointResponse<>(report, report.failed() == 0 && report.complete()
                    ? WebEndpointResponse.STATUS_OK : WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR);
        } catch (DeadLetterReplay.AlreadyRunning e) {
            return new WebEndpointResponse<>(new Refusal(e.getMessage()), 409);
        }
    }

    private static @Nullable Set<RejectReason> reasons(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Set<RejectReason> reasons = EnumSet.noneOf(RejectReason.class);
        for (String part : text.split(",")) {
            try {
                reasons.add(RejectReason.valueOf(part.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown reason '" + part.trim() + "'; use malformed, invalid or conflict");
            }
        }
        return reasons;
    }

    private static @Nullable Instant instant(String name, @Nullable String text) {
        try {
            return text == null || text.isBlank() ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-11-29T10:00:00Z, was '" + text + "'");
        }
    }

    /** The answer to a request that was not run. */
    record Refusal(String message) {
    }
}
