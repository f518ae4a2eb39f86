package dev.sluice.jobs;

/**
 * A value that does not convert to its column, or a record that breaks the mapping: the message
 * names the column and the problem, and becomes the dead letter's detail. No stack trace: it is
 * the record's fault, and it is thrown for every such record.
 */
final class ValueRefused extends IllegalArgumentException {

    ValueRefused(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
