package dev.sluice.jobs;

/**
 * One record as its job writes it: the converted value of each mapped column (in the mapping's
 * column order), or a delete of the key's row. A row read in the process step (Avro) is first
 * {@link #pending} with its bytes. The writer fills in the columns taken from the record's
 * metadata and headers, which the decoder does not see; a row is handed from one stage to the
 * next and never shared.
 *
 * @param values per mapped column, null where there is no value (yet); for a delete only the key columns
 * @param delete a tombstone: the key's row is deleted
 * @param key the record key's bytes while pending, else null
 * @param value the record value's bytes while pending, else null
 */
public record JobRow(Object[] values, boolean delete, byte[] key, byte[] value) {

    static JobRow upsert(Object[] values) {
        return new JobRow(values, false, null, null);
    }

    static JobRow deletion(Object[] keyValues) {
        return new JobRow(keyValues, true, null, null);
    }

    static JobRow pending(byte[] key, byte[] value) {
        return new JobRow(null, false, key, value);
    }

    boolean isPending() {
        return values == null;
    }
}
