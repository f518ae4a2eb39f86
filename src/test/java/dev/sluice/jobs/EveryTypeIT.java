package dev.sluice.jobs;

import static dev.sluice.jobs.JobsDatabase.record;
import static dev.sluice.jobs.JobsDatabase.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.Decoded;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every type a declarative job writes, and its arrays, read back from real PostgreSQL as the server prints them. */
class EveryTypeIT {

    private static JobsDatabase database;
    private static JobParts job;

    /** column, type, pointer: one value column per type, one array column per element type. */
    private static final String[][] COLUMNS = {
        {"t_text", "text"}, {"t_varchar", "varchar(5)"}, {"t_int2", "smallint"}, {"t_int4", "integer"}, {"t_int8", "bigint"},
        {"t_numeric", "numeric(10,2)"}, {"t_free", "numeric"}, {"t_bool", "boolean"}, {"t_uuid", "uuid"}, {"t_jsonb", "jsonb"},
        {"t_json", "json"}, {"t_tstz", "timestamptz"}, {"t_ts", "timestamp"}, {"t_date", "date"}, {"t_bytea", "bytea"},
        {"a_text", "text[]"}, {"a_varchar", "varchar(3)[]"}, {"a_int2", "smallint[]"}, {"a_int4", "integer[]"},
        {"a_int8", "bigint[]"}, {"a_numeric", "numeric(4,1)[]"}, {"a_bool", "boolean[]"}, {"a_uuid", "uuid[]"},
        {"a_jsonb", "jsonb[]"}, {"a_tstz", "timestamptz[]"}, {"a_ts", "timestamp[]"}, {"a_date", "date[]"}, {"a_bytea", "bytea[]"}};

    @BeforeAll
    static void table() throws Exception {
        database = new JobsDatabase("every_type");
        StringBuilder ddl = new StringBuilder("CREATE TABLE typed (id integer PRIMARY KEY");
        List<String> properties = new ArrayList<>(List.of("sluice.jobs.typed.topic=typed", "sluice.jobs.typed.table=typed",
                "sluice.jobs.typed.mode=upsert", "sluice.jobs.typed.key[0]=id", "sluice.jobs.typed.columns.id=/id"));
        for (String[] column : COLUMNS) {
            ddl.append(", ").append(column[0]).append(' ').append(column[1]);
            properties.add("sluice.jobs.typed.columns." + column[0] + "=/" + column[0]);
        }
        database.jdbc.execute(ddl.append(')').toString());
        job = database.job(properties.toArray(String[]::new));
    }

    private static Map<String, Object> stored(int id) {
        StringBuilder select = new StringBuilder("SELECT id");
        for (String[] column : COLUMNS) {
            select.append(", ").append(column[0]).append("::text AS ").append(column[0]);
        }
        return database.jdbc.queryForMap(select.append(" FROM typed WHERE id = ?").toString(), id);
    }

    @Test
    void everyTypeAndItsArrayIsWrittenExactly() throws Exception {
        String value = """
                {"id": 1, "t_text": "tab\\tquote\\"slash\\\\ é", "t_varchar": "héllo", "t_int2": -32768, "t_int4": "2147483647",
                 "t_int8": 9223372036854775807, "t_numeric": 12345678.90, "t_free": 0.000000000000000000001, "t_bool": true,
                 "t_uuid": "6F9619FF-8B86-D011-B42D-00C04FC964FF", "t_jsonb": {"b": [1, 2.50], "a": null}, "t_json": {"b": 1, "a": 2},
                 "t_tstz": "2026-03-01T12:30:45.123456+02:00", "t_ts": "2026-03-01T12:30:45.5", "t_date": "2026-02-28",
                 "t_bytea": "AAEC/w==",
                 "a_text": ["a", null, "with, comma", "{brace}", "\\"q\\""], "a_varchar": ["abc", ""], "a_int2": [1, -2],
                 "a_int4": [1, null, 3], "a_int8": [], "a_numeric": [1.5, -999.9, 0], "a_bool": [true, false, null],
                 "a_uuid": ["00000000-0000-0000-0000-000000000001"], "a_jsonb": [{"x": 1}, [1], "s"],
                 "a_tstz": ["2026-03-01T00:00:00Z", 0], "a_ts": ["2026-03-01T00:00:00"], "a_date": ["2026-03-01", 86400000],
                 "a_bytea": ["AP8=", null]}
                """;

        assertThat(run(database, job, List.of(record("typed", 0, null, value)))).containsExactly(SinkOutcome.WRITTEN);

        database.jdbc.execute("SET TIME ZONE 'UTC'");
        assertThat(stored(1))
                .containsEntry("t_text", "tab\tquote\"slash\\ é")
                .containsEntry("t_varchar", "héllo")
                .containsEntry("t_int2", "-32768")
                .containsEntry("t_int4", "2147483647")
                .containsEntry("t_int8", "9223372036854775807")
                .containsEntry("t_numeric", "12345678.90")
                .containsEntry("t_free", "0.000000000000000000001")
                .containsEntry("t_bool", "true")
                .containsEntry("t_uuid", "6f9619ff-8b86-d011-b42d-00c04fc964ff")
                .containsEntry("t_jsonb", "{\"a\": null, \"b\": [1, 2.50]}")
                .containsEntry("t_json", "{\"b\":1,\"a\":2}")
                .containsEntry("t_ts", "2026-03-01 12:30:45.5")
                .containsEntry("t_date", "2026-02-28")
                .containsEntry("t_bytea", "\\x000102ff")
                .containsEntry("a_text", "{a,NULL,\"with, comma\",\"{brace}\",\"\\\"q\\\"\"}")
                .containsEntry("a_varchar", "{abc,\"\"}")
                .containsEntry("a_int2", "{1,-2}")
                .containsEntry("a_int4", "{1,NULL,3}")
                .containsEntry("a_int8", "{}")
                .containsEntry("a_numeric", "{1.5,-999.9,0.0}")
                .containsEntry("a_bool", "{t,f,NULL}")
                .containsEntry("a_uuid", "{00000000-0000-0000-0000-000000000001}")
                .containsEntry("a_jsonb", "{\"{\\\"x\\\": 1}\",[1],\"\\\"s\\\"\"}")
                .containsEntry("a_ts", "{\"2026-03-01 00:00:00\"}")
                .containsEntry("a_date", "{2026-03-01,1970-01-02}")
                .containsEntry("a_bytea", "{\"\\\\x00ff\",NULL}");
        assertThat(database.jdbc.queryForObject("SELECT t_tstz = '2026-03-01T10:30:45.123456Z' AND a_tstz = "
                + "ARRAY['2026-03-01T00:00:00Z'::timestamptz, 'epoch'] FROM typed WHERE id = 1", Boolean.class)).isTrue();
    }

    @Test
    void epochMillisconvertToEachTimeType() throws Exception {
        String value = "{\"id\": 2, \"t_tstz\": 1767225600123, \"t_ts\": 1767225600123, \"t_date\": 1767225600123}";

        assertThat(run(database, job, List.of(record("typed", 1, null, value)))).containsExactly(SinkOutcome.WRITTEN);

        assertThat(database.jdbc.queryForMap("SELECT t_tstz = '2026-01-01T00:00:00.123Z' AS tstz, t_ts::text AS ts, t_date::text AS date "
                + "FROM typed WHERE id = 2")).containsEntry("tstz", true).containsEntry("ts", "2026-01-01 00:00:00.123")
                .containsEntry("date", "2026-01-01");
    }

    @Test
    void aValueOutsideItsTypeIsRefusedNamingTheColumnAndTheProblem() throws Exception {
        Map<String, String> refused = Map.ofEntries(
                Map.entry("\"t_varchar\": \"toolong\"", "column t_varchar (/t_varchar): has 7 characters; character varying(5) holds 5"),
                Map.entry("\"t_int2\": 32768", "column t_int2 (/t_int2): 32768 is out of range for smallint (-32768 to 32767)"),
                Map.entry("\"t_int4\": 1.5", "column t_int4 (/t_int4): must be an integer for integer, was a fraction"),
                Map.entry("\"t_int8\": 9223372036854775808", "column t_int8 (/t_int8): is out of range for bigint"),
                Map.entry("\"t_numeric\": 0.001", "column t_numeric (/t_numeric): 0.001 has 3 decimal places; numeric(10,2) takes 2 "
                        + "(no rounding)"),
                Map.entry("\"t_bool\": \"yes\"", "column t_bool (/t_bool): must be true or false for boolean, was the text \"yes\""),
                Map.entry("\"t_uuid\": \"1-1-1-1-1\"", "column t_uuid (/t_uuid): must be a UUID (8-4-4-4-12 hexadecimal digits), "
                        + "was the text \"1-1-1-1-1\""),
                Map.entry("\"t_tstz\": \"2026-03-01T10:00:00\"", "column t_tstz (/t_tstz): must be an ISO-8601 date-time with an "
                        + "offset (2026-01-31T10:15:30Z) or epoch milliseconds, was \"2026-03-01T10:00:00\""),
                Map.entry("\"t_date\": \"2026-02-30\"", "column t_date (/t_date): must be an ISO-8601 date (2026-01-31) or epoch "
                        + "milliseconds, was \"2026-02-30\""),
                Map.entry("\"t_bytea\": \"not base64!\"", "column t_bytea (/t_bytea): must be base64 for bytea: Illegal base64 "
                        + "character 20"),
                Map.entry("\"t_text\": \"nul\\u0000\"", "column t_text (/t_text): contains a NUL character, which PostgreSQL text "
                        + "cannot hold"),
                Map.entry("\"a_int4\": [1, \"x\"]", "column a_int4 (/a_int4): element 1 must be an integer for integer, was "
                        + "the text \"x\""),
                Map.entry("\"a_numeric\": [1.25]", "column a_numeric (/a_numeric): element 0 1.25 has 2 decimal places; "
                        + "numeric(4,1)[] takes 1 (no rounding)"),
                Map.entry("\"a_int2\": [[1]]", "column a_int2 (/a_int2): element 0 must be an integer for smallint, was an array"),
                Map.entry("\"a_text\": \"a\"", "column a_text (/a_text): must be a JSON array for text[], was the text \"a\""));
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, String> entry : refused.entrySet()) {
            Decoded<JobRow> decoded = job.decoder().decode(null, ("{\"id\": 3, " + entry.getKey() + "}").getBytes());

            softly.assertThat(decoded).as(entry.getKey()).isEqualTo(Decoded.rejected(RejectReason.INVALID, entry.getValue()));
        }
        softly.assertAll();
    }
}
