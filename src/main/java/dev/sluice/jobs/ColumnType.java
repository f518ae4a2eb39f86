package dev.sluice.jobs;

import java.util.Locale;

/**
 * A column's PostgreSQL type as the catalog reports it, reduced to what conversion needs.
 *
 * @param kind the (element) type
 * @param array a one-dimensional array of {@code kind}
 * @param length a varchar's maximum length in characters, or -1 (unbounded)
 * @param precision a numeric's precision, or -1 (unconstrained)
 * @param scale a numeric's scale (with a precision)
 * @param sql the type as {@code format_type} prints it ({@code numeric(12,2)}, {@code integer[]}):
 *     what the writer casts its text to
 */
record ColumnType(Kind kind, boolean array, int length, int precision, int scale, String sql) {

    /** The types a declarative job writes; anything else refuses start-up. */
    enum Kind {
        TEXT, VARCHAR, INT2, INT4, INT8, NUMERIC, BOOL, UUID, JSONB, JSON, TIMESTAMPTZ, TIMESTAMP, DATE, BYTEA;

        /** The kind of a {@code pg_type.typname}, or null when a job cannot write it. */
        static Kind of(String typname) {
            return switch (typname) {
                case "text" -> TEXT;
                case "varchar" -> VARCHAR;
                case "int2" -> INT2;
                case "int4" -> INT4;
                case "int8" -> INT8;
                case "numeric" -> NUMERIC;
                case "bool" -> BOOL;
                case "uuid" -> UUID;
                case "jsonb" -> JSONB;
                case "json" -> JSON;
                case "timestamptz" -> TIMESTAMPTZ;
                case "timestamp" -> TIMESTAMP;
                case "date" -> DATE;
                case "bytea" -> BYTEA;
                default -> null;
            };
        }

        boolean integral() {
            return this == INT2 || this == INT4 || this == INT8;
        }

        boolean textual() {
            return this == TEXT || this == VARCHAR;
        }

        boolean temporal() {
            return this == TIMESTAMPTZ || this == TIMESTAMP || this == DATE;
        }
    }

    /**
     * From the catalog's {@code typname} of the (element) type and {@code atttypmod}; null when a job
     * cannot write the type.
     */
    static ColumnType of(String typname, boolean array, int typmod, String sql) {
        Kind kind = Kind.of(typname);
        if (kind == null) {
            return null;
        }
        int length = kind == Kind.VARCHAR && typmod >= 4 ? typmod - 4 : -1;
        int precision = -1;
        int scale = 0;
        if (kind == Kind.NUMERIC && typmod >= 4) {
            precision = ((typmod - 4) >> 16) & 0xffff;
            // the scale is 11 bits, signed since PostgreSQL 15 (numeric(3,-2) rounds to hundreds)
            scale = ((typmod - 4) & 0x7ff) << 21 >> 21;
        }
        return new ColumnType(kind, array, length, precision, scale, sql);
    }

    /** Whether the column's values have an order a version can follow (integers, numeric, dates and times). */
    boolean orderable() {
        return !array && (kind.integral() || kind == Kind.NUMERIC || kind.temporal());
    }

    /**
     * Why a column of this type cannot take {@code source}'s values, or null when it can. Text from
     * the key or a header converts to any scalar type but JSON; a partition or offset is an
     * integer; a timestamp is epoch milliseconds or an instant.
     */
    String refuses(Source source) {
        return switch (source) {
            case Source.ValueField ignored -> null;
            case Source.KeyField ignored -> null;
            case Source.KeyText ignored -> textRefusal("the record key");
            case Source.Header header -> textRefusal("header " + header.name());
            case Source.Metadata metadata -> switch (metadata.part()) {
                case TOPIC -> textRefusal("the topic");
                case PARTITION -> !array && (kind.integral() || kind == Kind.NUMERIC || kind.textual()) ? null
                        : "the partition is an integer; the column is " + sql;
                case OFFSET -> !array && (kind == Kind.INT8 || kind == Kind.NUMERIC || kind.textual()) ? null
                        : "the offset is a 64-bit integer (bigint, numeric or text); the column is " + sql;
                case TIMESTAMP -> !array && (kind.temporal() || kind == Kind.INT8 || kind == Kind.NUMERIC || kind.textual()) ? null
                        : "the timestamp is an instant (timestamptz, timestamp, date) or epoch milliseconds (bigint, numeric, text); "
                                + "the column is " + sql;
            };
        };
    }

    private String textRefusal(String what) {
        return array || kind == Kind.JSON || kind == Kind.JSONB
                ? what + " is text, which does not convert to " + sql + " (map a JSON field with a pointer)" : null;
    }

    @Override
    public String toString() {
        return sql.toLowerCase(Locale.ROOT);
    }
}
