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
 * @param failed sends the broker did not acknowledge (see {@code firstError}); their journal rows are
 *     {@code unconfirmed} and no later run sends them again on its own (the broker may have them)
 * @param duplicates dead letters of a source record already selected in this run (skipped)
 * @param skippedTruncated truncated dead letters ({@code sluice.error.truncated}: key and value cut,
 *     not the original) the filter selected; never sent back, each logged with its source position
 * @param skippedAlreadyReplayed dead letters whose source record the replay journal holds as
 *     re-published already, by an earlier run or another pod (skipped: at most once per record)
 * @param otherTopic dead letters of another source topic (skipped)
 * @param unreadable dead letters without Sluice's source headers (skipped)
 * @param byReason selected dead letters per reason
 * @param endOffsets the dead-letter topic's end offset per partition at the start
 * @param complete false when the topic was not read to those end offsets within the time bound
 * @param durationMillis how long the run took
 * @param firstError the first send error, null if none
 */
public record ReplayReport(String run, boolean dryRun, String deadLetterTopic, String sourceTopic, long scanned, long matched,
        long replayed, long failed, long duplicates, long skippedTruncated, long skippedAlreadyReplayed, long otherTopic,
        long unreadable, Map<String, Long> byReason, Map<Integer, Long> endOffsets, boolean complete, long durationMillis,
        String firstError) {
}
