package dev.sluice.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The start-up check of the jobs together: each has a name, a topic, a group and a dead-letter
 * topic other than its topic; no two share a name (it keys the status, {@code ?job=} and the
 * metric tag) or a group (two pipelines in one group would split one topic's partitions between
 * them and share one exactly-once progress). Each refusal names the job.
 */
final class JobValidation {

    private JobValidation() {
    }

    static void validate(List<Job<?>> jobs) {
        Map<String, Job<?>> names = new HashMap<>();
        Map<String, Job<?>> groups = new HashMap<>();
        for (Job<?> job : jobs) {
            if (blank(job.name())) {
                throw new IllegalStateException("a job has no name (topic " + job.topic() + "): every job needs one");
            }
            require(job, "topic", job.topic());
            require(job, "group", job.group());
            require(job, "dead-letter topic", job.deadLetterTopic());
            if (job.topic().equals(job.deadLetterTopic())) {
                throw new IllegalStateException("job " + job.name() + ": its dead-letter topic must differ from its topic ("
                        + job.topic() + ")");
            }
            Job<?> sameName = names.putIfAbsent(job.name(), job);
            if (sameName != null) {
                throw new IllegalStateException("two jobs are named " + job.name() + " (topics " + sameName.topic() + " and "
                        + job.topic() + "): job names must be unique");
            }
            Job<?> sameGroup = groups.putIfAbsent(job.group(), job);
            if (sameGroup != null) {
                throw new IllegalStateException("jobs " + sameGroup.name() + " and " + job.name() + " both use consumer group "
                        + job.group() + ": each job needs a group of its own");
            }
        }
    }

    private static void require(Job<?> job, String what, String value) {
        if (blank(value)) {
            throw new IllegalStateException("job " + job.name() + " has no " + what);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
