package dev.sluice.jobs;

/**
 * A table column with its source, checked against the catalog at start-up.
 *
 * @param name as the catalog spells it
 * @param quoted quoted for SQL
 * @param sourceText the source as configured, for messages
 * @param required NOT NULL without a default: a record without a value for it is refused
 * @param defaultExpression what an insert writes when the record has no value (SQL), or null: an
 *     update then keeps the stored value
 */
record MappedColumn(String name, String quoted, Source source, String sourceText, ColumnType type, boolean required,
        String defaultExpression) {

    /** {@code column amount (/amount)}: how messages name it. */
    String label() {
        return "column " + name + " (" + sourceText + ")";
    }
}
