package dev.sluice.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What start-up reads about a job's table from {@code pg_catalog}: its columns, their types, its unique keys. */
final class Catalog {

    private static final String TABLE = """
            SELECT c.oid, n.nspname, c.relname, c.relkind,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS quoted
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass(?)
            """;

    private static final String COLUMNS = """
            SELECT a.attname, quote_ident(a.attname) AS quoted, a.attnotnull, format_type(a.atttypid, a.atttypmod) AS sql,
                   CASE WHEN t.typcategory = 'A' THEN e.typname ELSE t.typname END AS typname,
                   t.typcategory = 'A' AS is_array, a.atttypmod, a.attidentity, a.attgenerated,
                   pg_get_expr(d.adbin, d.adrelid) AS default_expr
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type e ON e.oid = t.typelem
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;

    /** Unique indexes that identify a row: not partial, not on expressions, checked immediately. */
    private static final String UNIQUE_KEYS = """
            SELECT array_agg(a.attname::text ORDER BY a.attname)
            FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = ? AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
            GROUP BY i.indexrelid
            """;

    private Catalog() {
    }

    /**
     * A table's column as the catalog has it.
     *
     * @param type null when a job cannot write the column's type ({@code sql} names it)
     * @param identity {@code a} (always), {@code d} (by default) or empty
     * @param generated {@code s} for a generated column, else empty
     * @param defaultExpression the column's default, or null
     */
    record Column(String name, String quoted, boolean notNull, String sql, ColumnType type, String identity, String generated,
            String defaultExpression) {
    }

    /**
     * @param name {@code schema.table} as shown in messages
     * @param quoted the same, quoted for SQL
     * @param columns by name, in table order
     * @param uniqueKeys the column sets of the table's unique indexes (its primary key included)
     */
    record Table(String name, String quoted, Map<String, Column> columns, List<Set<String>> uniqueKeys) {
    }

    /** The table {@code name} resolves to (optionally schema-qualified, on the search path), or null when there is none. */
    static Table read(Connection connection, String name) throws SQLException {
        long oid;
        String display;
        String quoted;
        try (PreparedStatement statement = connection.prepareStatement(TABLE)) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next() || !"rp".contains(rows.getString("relkind"))) {
                    return null;
                }
                oid = rows.getLong("oid");
                display = rows.getString("nspname") + "." + rows.getString("relname");
                quoted = rows.getString("quoted");
            }
        }
        Map<String, Column> columns = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setLong(1, oid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String sql = rows.getString("sql");
                    ColumnType type = ColumnType.of(rows.getString("typname"), rows.getBoolean("is_array"), rows.getInt("atttypmod"), sql);
                    columns.put(rows.getString("attname"), new Column(rows.getString("attname"), rows.getString("quoted"),
                            rows.getBoolean("attnotnull"), sql, type, rows.getString("attidentity"), rows.getString("attgenerated"),
                            rows.getString("default_expr")));
                }
            }
        }
        List<Set<String>> keys = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(UNIQUE_KEYS)) {
            statement.setLong(1, oid);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add(new HashSet<>(Arrays.asList((String[]) rows.getArray(1).getArray())));
                }
            }
        }
        return new Table(display, quoted, columns, keys);
    }
}
