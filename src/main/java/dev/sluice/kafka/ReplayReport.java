package dev.sluice.kafka;

import java.util.Map;

/**
 * What a replay did (or, for a dry run, would do).
 *
 * @param run this run's id, also in each replayed record's {@code sluice.replay.run} header
 * @param dryRun true when nothing was sent
 * @param deadLetterTopic the topic read, from its beginning to {@code endOffsets} as of the start
 * @param sourceTopic where the originals went back to
 * @param scanned dead letters read
 * @param matched dead letters the filter selected (before {@code limit} and duplicates)
 * @param replayed originals sent back and acknowledged by the broker (dry run: that would be sent)
 * @param failed sends the broker did not acknowledge (see {@code firstError}); rerun the same filter
 * @param duplicates dead letters of a source record already replayed in this run (skipped)
 * @param otherTopic dead letters of another source topic (skipped)
 * @param unreadable dead letters without Sluice's source headers (skipped)
 * @param byReason selected dead letters per reason
 * @param endOffsets the dead-letter topic's end offset per partition at the start
 * @param complete false when the topic was not read to those end offsets within the time bound
 * @param durationMillis how long the run took
 * @param firstError the first send error, null if none
 */
public record ReplayReport(String run, boolean dryRun, String deadLetterTopic, String sourceTopic, long scanned, long matched,
        long replayed, long failed, long duplicates, long otherTopic, long unreadable, Map<String, Long> byReason,
        Map<Integer, Long> endOffsets, boolean complete, long durationMillis, String firstError) {
}
