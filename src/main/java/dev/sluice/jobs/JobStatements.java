package dev.sluice.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The SQL of one job, built once at start-up from the checked mapping. Every statement takes its
 * rows as one text array per column (unnested with their ordinality, each cast to its column's
 * type on the server), so a batch is one statement per kind whatever its size; values are always
 * bind parameters, never part of the SQL. Column aliases are positional ({@code c0}, {@code k0}),
 * so no column name can clash with them.
 */
final class JobStatements {

    /** Reads and locks the stored rows of the batch's keys: {@code (ord, version)} per key found. */
    final String stored;
    final String delete;
    /** Null when every mapped column is a key column (an update would set nothing). */
    final String update;
    final String insert;

    JobStatements(JobMapping mapping) {
        List<MappedColumn> columns = mapping.columns;
        String table = mapping.table.quoted();
        String keyInput = input(keyColumns(mapping), "k");
        String rowInput = input(columns, "c");
        StringJoiner keyMatch = new StringJoiner(" AND ");
        StringJoiner rowKeyMatch = new StringJoiner(" AND ");
        for (int k = 0; k < mapping.keys.length; k++) {
            MappedColumn column = columns.get(mapping.keys[k]);
            keyMatch.add("t." + column.quoted() + " = s.k" + k);
            rowKeyMatch.add("t." + column.quoted() + " = s.c" + mapping.keys[k]);
        }
        String version = mapping.version < 0 ? "NULL" : "t." + columns.get(mapping.version).quoted();
        this.stored = mapping.keys.length == 0 ? null
                : "SELECT s.ord, " + version + " FROM " + table + " t JOIN " + keyInput + " ON " + keyMatch + " FOR UPDATE OF t";
        this.delete = mapping.keys.length == 0 ? null
                : "DELETE FROM " + table + " t USING " + keyInput + " WHERE " + keyMatch;
        StringJoiner set = new StringJoiner(", ");
        for (int i = 0; i < columns.size(); i++) {
            if (!isKey(mapping, i)) {
                MappedColumn column = columns.get(i);
                set.add(column.quoted() + " = " + (column.defaultExpression() == null ? "s.c" + i
                        : "COALESCE(s.c" + i + ", t." + column.quoted() + ")"));
            }
        }
        this.update = mapping.keys.length == 0 || set.length() == 0 ? null
                : "UPDATE " + table + " t SET " + set + " FROM " + rowInput + " WHERE " + rowKeyMatch;
        StringJoiner names = new StringJoiner(", ");
        StringJoiner values = new StringJoiner(", ");
        for (int i = 0; i < columns.size(); i++) {
            MappedColumn column = columns.get(i);
            names.add(column.quoted());
            values.add(column.defaultExpression() == null ? "s.c" + i : "COALESCE(s.c" + i + ", " + column.defaultExpression() + ")");
        }
        this.insert = "INSERT INTO " + table + " (" + names + ") SELECT " + values + " FROM " + rowInput + " ORDER BY s.ord";
    }

    private static List<MappedColumn> keyColumns(JobMapping mapping) {
        List<MappedColumn> keys = new ArrayList<>();
        for (int index : mapping.keys) {
            keys.add(mapping.columns.get(index));
        }
        return keys;
    }

    private static boolean isKey(JobMapping mapping, int index) {
        for (int key : mapping.keys) {
            if (key == index) {
                return true;
            }
        }
        return false;
    }

    /** {@code (SELECT u.ord, u.c0::integer AS c0, … FROM unnest(?::text[], …) WITH ORDINALITY AS u(c0, …, ord)) s}. */
    private static String input(List<MappedColumn> columns, String alias) {
        StringJoiner select = new StringJoiner(", ", "SELECT u.ord, ", "");
        StringJoiner arrays = new StringJoiner(", ");
        StringJoiner names = new StringJoiner(", ", "", ", ord");
        for (int i = 0; i < columns.size(); i++) {
            select.add("u." + alias + i + "::" + columns.get(i).type().sql() + " AS " + alias + i);
            arrays.add("?::text[]");
            names.add(alias + i);
        }
        return "(" + select + " FROM unnest(" + arrays + ") WITH ORDINALITY AS u(" + names + ")) s";
    }
}
