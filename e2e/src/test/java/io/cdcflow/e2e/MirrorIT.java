package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.ClickHouseEngine;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Waiting;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mirror mode, end to end: a table with every type of the mapping goes through the wal-producer and the writer (no
 * streams-app) into the installed ClickHouse server and a current engine at once; inserts, updates (one leaving a
 * TOASTed value unchanged), deletes, a truncate and ALTERs later, {@code system.columns} holds the documented types
 * and every value equals PostgreSQL's, on both.
 */
@ExtendWith(RealServices.class)
class MirrorIT {
    private static final Duration DRAIN = Duration.ofSeconds(120);
    private final String run = "m" + UUID.randomUUID().toString().substring(0, 8);

    private static final String CREATE = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN positive_amount AS numeric(10,2) CHECK (VALUE > 0);
            CREATE TABLE mirror_types (
              tenant int NOT NULL, id bigint NOT NULL, small smallint, "unit price" numeric(12,2) NOT NULL, free numeric,
              r real, d double precision, flag boolean NOT NULL, "select" text, "customerId" varchar(40), "UPPER" char(3),
              "dash-name" text, u uuid, day date, ts timestamp, tstz timestamptz NOT NULL, t time, iv interval, j jsonb,
              b bytea, tags text[], nums integer[] NOT NULL, feeling mood, amount positive_amount, big text,
              PRIMARY KEY (tenant, id));
            CREATE TABLE truncated (id int PRIMARY KEY, note text);
            """;

    private static final String ROWS = """
            INSERT INTO mirror_types VALUES
              (1, 1, -32768, 12.50, 12345678901234567890.123456789012345678, 3.14, 1e300, true, E'tab\\there, line\\nbreak, back\\\\slash \\\\N',
               'Zoë', 'ab', 'x-y', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-11-24', '2026-11-24 10:15:30.123456',
               '2026-11-24 10:15:30.654321+05:30', '10:15:30.5', '1 year 2 months 3 days 04:05:06', '{"k": "zoë ✓ 😀", "n": [1, 2.5]}',
               '\\x00ff0a09', '{"a b", NULL, "it''s"}', '{1,NULL,3}', 'happy', 9.99, NULL),
              (1, 2, NULL, 0.00, NULL, 'NaN', '-Infinity', false, NULL, NULL, NULL, NULL, NULL, 'infinity', '-infinity',
               '1999-12-31 23:59:59+00', NULL, NULL, NULL, NULL, '{}', '{}', NULL, NULL, NULL),
              (2, 1, 7, 99999999.99, -0.5, 'Infinity', 0, true, 'plain', 'v', 'xyz', '', NULL, '0044-03-15 BC', '1800-01-01 00:00:00',
               '2026-01-01 00:00:00+00', '23:59:59', '-1 day', '[]', '', NULL, '{2147483647}', 'sad', 0.01, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g));
            INSERT INTO truncated SELECT i, 'n' || i FROM generate_series(1, 20) i;
            """;

    @Test
    void everyTypeAndEveryChangeArrivesExactlyOnBothEngines(PostgresEndpoint server, KafkaEndpoint kafka) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_mirror");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(CREATE);
            s.execute(ROWS);
        }
        ClickHouseEndpoint installed = ClickHouseEngine.INSTALLED_SERVER.endpoint();
        ClickHouseEndpoint current = ClickHouseEngine.CURRENT_CHDB.endpoint();
        Path logs = Files.createTempDirectory("cdcflow-mirror-" + run);
        int walPort = Ports.free();
        try (Deployable producer = new Deployable("wal-producer", Map.of(
                "POSTGRES_CDC_DSN", db.dsn(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "POSTGRES_CDC_TABLES", "mirror_types,truncated",
                "POSTGRES_CDC_TOPIC_PREFIX", run,
                "POSTGRES_CDC_SLOT", run + "_slot",
                "POSTGRES_CDC_PUBLICATION", run + "_pub",
                "POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:" + walPort,
                "POSTGRES_CDC_HEARTBEAT_INTERVAL", "1s"), walPort, logs.resolve("wal-producer.log"));
             Deployable onInstalled = writer(kafka, installed, "installed", logs);
             Deployable onCurrent = writer(kafka, current, "current", logs)) {
            producer.start();
            onInstalled.start();
            onCurrent.start();
            producer.awaitReady();
            onInstalled.awaitReady();
            onCurrent.awaitReady();
            db.execute(
                    "UPDATE mirror_types SET \"select\" = 'changed', tags = '{}', nums = '{}' WHERE tenant = 1 AND id = 1",
                    "UPDATE mirror_types SET small = 8 WHERE tenant = 2 AND id = 1", // big (TOASTed) is not resent
                    "INSERT INTO mirror_types (tenant, id, \"unit price\", flag, tstz, nums) VALUES (3, 1, 1, true, now(), '{}')",
                    "DELETE FROM mirror_types WHERE tenant = 3 AND id = 1",
                    "INSERT INTO mirror_types (tenant, id, \"unit price\", flag, tstz, nums, j) VALUES (3, 2, 2, false, "
                            + "'2026-11-25 01:02:03.000004+00', '{5}', '\"a JSON string keeps its quotes\"')",
                    "TRUNCATE truncated",
                    "INSERT INTO truncated VALUES (100, 'after the truncate')");
            for (ClickHouseEndpoint ch : List.of(installed, current)) {
                awaitEqual(db, ch, "truncated", List.of("id", "note"));
                awaitEqual(db, ch, "mirror_types", columns(ch));
                assertThat(types(ch, "mirror_types")).isEqualTo(documentedTypes(ch == current));
            }

            // ALTERs reach ClickHouse without a restart: a new column, a dropped one, a changed type
            db.execute("ALTER TABLE mirror_types ADD COLUMN added numeric(6,3)",
                    "ALTER TABLE mirror_types DROP COLUMN \"dash-name\"",
                    "ALTER TABLE mirror_types ALTER COLUMN small TYPE bigint",
                    "UPDATE mirror_types SET added = 1.5, small = 9000000000 WHERE tenant = 1 AND id = 2");
            for (ClickHouseEndpoint ch : List.of(installed, current)) {
                List<String> columns = new ArrayList<>(columns(ch));
                columns.remove("\"dash-name\"");
                columns.add("added");
                awaitEqual(db, ch, "mirror_types", columns);
                Map<String, String> types = types(ch, "mirror_types");
                assertThat(types).containsEntry("added", "Nullable(Decimal(6, 3))").containsEntry("small", "Nullable(Int64)")
                        .doesNotContainKey("dash-name");
            }
        }
    }

    private Deployable writer(KafkaEndpoint kafka, ClickHouseEndpoint ch, String name, Path logs) {
        int port = Ports.free();
        return new Deployable("clickhouse-writer", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "CLICKHOUSE_URL", ch.httpUrl(),
                "CLICKHOUSE_DATABASE", run,
                "WRITER_TOPICS", run + ".public.*",
                "WRITER_SCHEMA_TOPIC", run + "._schemas",
                "WRITER_GROUP_ID", run + "-" + name,
                "WRITER_HTTP_ADDR", "127.0.0.1:" + port,
                "WRITER_MAX_BACKOFF", "2s",
                "WRITER_DEAD_LETTER_TOPIC", run + "._writer_dead_letter"), port, logs.resolve("writer-" + name + ".log"));
    }

    private static boolean wide(ClickHouseEndpoint ch) {
        return !ch.query("SELECT version() AS v").get(0).contains("\"18.");
    }

    /** The compared columns: each as PostgreSQL's expression, for ClickHouse's spelling of the same value. */
    private static List<String> columns(ClickHouseEndpoint ch) {
        return List.of("tenant", "id", "small", "\"unit price\"", "free", "r", "d", "flag", "\"select\"", "\"customerId\"", "\"UPPER\"",
                "\"dash-name\"", "u", "day", "ts", "tstz", "t", "iv", "j", "b", "tags", "nums", "feeling", "amount", "big");
    }

    /** PostgreSQL's value of a column as ClickHouse is documented to hold it (TYPES.md): a SQL expression. */
    private static String postgresSide(String column, boolean wide) {
        String micros = wide ? "YYYY-MM-DD HH24:MI:SS.US" : "YYYY-MM-DD HH24:MI:SS";
        String min = wide ? "1900-01-01" : "1970-01-02";
        String max = wide ? "2299-12-31" : "2105-12-31";
        String clampTs = "CASE WHEN %1$s IS NULL THEN NULL WHEN %1$s = 'infinity' OR %1$s > '" + max + " 23:59:59.999999' THEN '" + max
                + (wide ? " 23:59:59.999999" : " 23:59:59") + "' WHEN %1$s = '-infinity' OR %1$s < '" + min + "' THEN '" + min
                + (wide ? " 00:00:00.000000" : " 00:00:00") + "' ELSE to_char(%1$s, '" + micros + "') END";
        return switch (column) {
            case "r", "d" -> "CASE WHEN " + column + " = 'NaN' THEN 'nan' WHEN " + column + " = 'Infinity' THEN 'inf' WHEN " + column
                    + " = '-Infinity' THEN '-inf' ELSE " + column + "::text END";
            case "flag" -> "flag::int";
            case "day" -> "CASE WHEN day IS NULL THEN NULL WHEN day = 'infinity' OR day > '" + max + "' THEN '" + max
                    + "' WHEN day = '-infinity' OR day < '" + min + "' THEN '" + min + "' ELSE day::text END";
            case "ts" -> clampTs.formatted("ts");
            case "tstz" -> clampTs.formatted("(tstz AT TIME ZONE 'UTC')");
            case "iv" -> "iv::text";
            case "j" -> "j::text";
            case "b" -> "encode(b, 'hex')";
            case "tags", "nums" -> "coalesce(array_to_json(" + column + "), '[]'::json)";
            default -> column;
        };
    }

    private static String clickHouseSide(String column) {
        String quoted = "`" + column.replace("\"", "") + "`";
        return switch (column) {
            case "r", "d", "ts", "tstz", "day" -> "toString(" + quoted + ")";
            case "flag" -> "toUInt8(flag)";
            case "b" -> "lower(hex(b))";
            default -> quoted;
        };
    }

    private void awaitEqual(PostgresEndpoint db, ClickHouseEndpoint ch, String table, List<String> columns) throws Exception {
        boolean wide = wide(ch);
        String keyExpr = table.equals("truncated") ? "id::text" : "tenant || '/' || id";
        Map<String, Map<String, Object>> expected = postgres(db, table, columns, wide, keyExpr);
        boolean same = Waiting.until(DRAIN, Duration.ofMillis(500), () -> clickhouse(ch, table, columns).equals(expected));
        assertThat(clickhouse(ch, table, columns)).as("%s on %s", table, ch.httpUrl()).isEqualTo(expected);
        assertThat(same).isTrue();
    }

    private static Map<String, Map<String, Object>> postgres(PostgresEndpoint db, String table, List<String> columns, boolean wide,
                                                             String keyExpr) throws Exception {
        StringBuilder select = new StringBuilder("SELECT json_agg(json_build_object('_key', " + keyExpr);
        for (String column : columns) {
            select.append(", '").append(column.replace("\"", "")).append("', ").append(postgresSide(column, wide));
        }
        select.append(")) FROM ").append(table);
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET intervalstyle = iso_8601");
            try (var rs = s.executeQuery(select.toString())) {
                rs.next();
                String json = rs.getString(1);
                return normalize(json == null ? Json.MAPPER.createArrayNode() : Json.read(json));
            }
        }
    }

    private Map<String, Map<String, Object>> clickhouse(ClickHouseEndpoint ch, String table, List<String> columns) {
        String key = table.equals("truncated") ? "toString(id)" : "concat(toString(tenant), '/', toString(id))";
        StringBuilder select = new StringBuilder("SELECT " + key + " AS _key");
        for (String column : columns) {
            select.append(", ").append(clickHouseSide(column)).append(" AS `").append(column.replace("\"", "")).append("`");
        }
        select.append(" FROM ").append(run).append(".").append(table).append("_current");
        try {
            var rows = Json.MAPPER.createArrayNode();
            ch.query(select.toString()).forEach(line -> rows.add(Json.read(line)));
            return normalize(rows);
        } catch (IllegalStateException notThereYet) {
            return Map.of();
        }
    }

    /** Rows by key, every value compared by meaning: numbers by value, JSON text as JSON, arrays element by element. */
    private static Map<String, Map<String, Object>> normalize(JsonNode rows) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (JsonNode row : rows) {
            Map<String, Object> values = new LinkedHashMap<>();
            row.fields().forEachRemaining(f -> values.put(f.getKey(), value(f.getKey(), f.getValue())));
            out.put(row.get("_key").asText(), values);
        }
        return out;
    }

    private static Object value(String column, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            List<Object> items = new ArrayList<>();
            v.forEach(item -> items.add(value(column, item)));
            return items;
        }
        String text = v.asText();
        if (column.equals("j") && !text.isEmpty()) {
            return Json.read(text);
        }
        try {
            return new BigDecimal(text).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException notANumber) {
            return text;
        }
    }

    private Map<String, String> types(ClickHouseEndpoint ch, String table) {
        Map<String, String> types = new LinkedHashMap<>();
        ch.query("SELECT name, type FROM system.columns WHERE database = '" + run + "' AND table = '" + table + "'")
                .forEach(line -> {
                    JsonNode row = Json.read(line);
                    types.put(row.get("name").asText(), row.get("type").asText());
                });
        return types;
    }

    /** clickhouse-writer/TYPES.md, for this table. */
    private static Map<String, String> documentedTypes(boolean current) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("tenant", "Int32");
        t.put("id", "Int64");
        t.put("small", "Nullable(Int16)");
        t.put("unit price", "Decimal(12, 2)");
        t.put("free", current ? "Nullable(Decimal(76, 38))" : "Nullable(Decimal(38, 18))");
        t.put("r", "Nullable(Float32)");
        t.put("d", "Nullable(Float64)");
        t.put("flag", current ? "Bool" : "UInt8");
        t.put("select", "Nullable(String)");
        t.put("customerId", "Nullable(String)");
        t.put("UPPER", "Nullable(String)");
        t.put("dash-name", "Nullable(String)");
        t.put("u", "Nullable(UUID)");
        t.put("day", current ? "Nullable(Date32)" : "Nullable(Date)");
        t.put("ts", current ? "Nullable(DateTime64(6))" : "Nullable(DateTime)");
        t.put("tstz", current ? "DateTime64(6, 'UTC')" : "DateTime('UTC')");
        t.put("t", "Nullable(String)");
        t.put("iv", "Nullable(String)");
        t.put("j", "Nullable(String)");
        t.put("b", "Nullable(String)");
        t.put("tags", "Array(Nullable(String))");
        t.put("nums", "Array(Nullable(Int32))");
        t.put("feeling", current ? "LowCardinality(Nullable(String))" : "Nullable(String)");
        t.put("amount", "Nullable(Decimal(10, 2))");
        t.put("big", "Nullable(String)");
        t.put("_version", current ? "UInt128" : "UInt64");
        t.put("_deleted", "UInt8");
        t.put("_ingested_at", "DateTime");
        return t;
    }
}
