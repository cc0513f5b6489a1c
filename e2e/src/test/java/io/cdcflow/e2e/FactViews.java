package io.cdcflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.schema.MetaColumns;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.Waiting;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The product's promise, checked: a facts file run in PostgreSQL as it is, then, per view, {@code SELECT * FROM
 * <view>} in PostgreSQL compared with {@code <view>_current} in ClickHouse, column by column (names in order, each
 * ClickHouse type the one TYPES.md documents for the PostgreSQL type) and row by row (every value).
 */
final class FactViews {
    private static final Duration DRAIN = Duration.ofSeconds(180);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private FactViews() {
    }

    /** The facts file, run in PostgreSQL as it is (its views created), equals the ClickHouse current views. */
    static void assertConverges(PostgresEndpoint db, ClickHouseEndpoint ch, Pipeline pipeline) {
        db.execute(pipeline.facts.sql());
        assertEqual(db, ch, pipeline);
    }

    /** The rows of a ClickHouse table so far, duplicates included; 0 before it exists. */
    static long rowsSoFar(ClickHouseEndpoint ch, String table) {
        try {
            return Json.read(ch.query("SELECT count() AS n FROM " + table).get(0)).get("n").asLong();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Asserts that every view of the file, created in {@code db}, equals its current view in ClickHouse. */
    static void assertEqual(PostgresEndpoint db, ClickHouseEndpoint ch, Pipeline pipeline) {
        for (String view : pipeline.facts.views()) {
            assertEqual(db, ch, view, pipeline.table(view), pipeline);
        }
    }

    /**
     * Asserts that {@code relation} in PostgreSQL (a view or a table) equals {@code table}'s current view in ClickHouse;
     * ClickHouse's own columns (the version, delete flag and ingestion time, whatever names they took) left out.
     */
    static void assertEqual(PostgresEndpoint db, ClickHouseEndpoint ch, String relation, String table, Pipeline pipeline) {
        assertEqual(db, ch, relation, table, "logs in " + pipeline.logs);
    }

    /** {@link #assertEqual(PostgresEndpoint, ClickHouseEndpoint, String, String, Pipeline)}; {@code logs} says where the logs are. */
    static void assertEqual(PostgresEndpoint db, ClickHouseEndpoint ch, String relation, String table, String logs) {
        Map<String, String> pgTypes = pgTypes(db, relation);
        List<String> expected = pgRows(db, relation);
        boolean equal = Waiting.until(DRAIN, Duration.ofSeconds(1), () -> expected.equals(chRowsOrEmpty(ch, table, pgTypes.keySet())));
        if (!equal) {
            List<String> actual;
            try {
                actual = chRows(ch, table, pgTypes.keySet());
            } catch (IllegalStateException failed) {
                throw new AssertionError(relation + " could not be read from ClickHouse at " + ch.httpUrl() + " after " + DRAIN.toSeconds() + "s (" + logs + ")", failed);
            }
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(actual);
            List<String> extra = new ArrayList<>(actual);
            extra.removeAll(expected);
            throw new AssertionError(relation + " differs from PostgreSQL after " + DRAIN.toSeconds() + "s (" + logs + "): " + expected.size() + " rows in PostgreSQL, " + actual.size() + " in ClickHouse; only in PostgreSQL "
                    + missing.stream().limit(3).toList() + ", only in ClickHouse " + extra.stream().limit(3).toList());
        }
        if (expected.isEmpty()) {
            throw new AssertionError(relation + " is empty in PostgreSQL: the workload should have given it rows");
        }
        Map<String, String> chTypes = chTypes(ch, table);
        chTypes.keySet().removeIf(MetaColumns.avoiding(pgTypes.keySet())::contains);
        if (!List.copyOf(chTypes.keySet()).equals(List.copyOf(pgTypes.keySet()))) {
            throw new AssertionError(relation + ": columns differ: PostgreSQL " + pgTypes.keySet() + ", ClickHouse " + chTypes.keySet());
        }
        pgTypes.forEach((column, pgType) -> {
            String chType = chTypes.get(column).replaceAll("^Nullable\\((.*)\\)$", "$1");
            String documented = documented(pgType);
            if (!chType.equals(documented)) {
                throw new AssertionError(relation + "." + column + ": PostgreSQL " + pgType + " should be " + documented
                        + " in ClickHouse (TYPES.md), is " + chTypes.get(column));
            }
        });
    }

    /** TYPES.md's ClickHouse 18.16 type for the PostgreSQL types the test schemas use. */
    private static String documented(String pgType) {
        if (pgType.startsWith("numeric(")) {
            String[] ps = pgType.substring(8, pgType.length() - 1).split(",");
            return "Decimal(" + ps[0] + ", " + ps[1] + ")";
        }
        if (pgType.startsWith("character varying") || pgType.startsWith("character(")) {
            return "String";
        }
        return switch (pgType) {
            case "smallint" -> "Int16";
            case "integer" -> "Int32";
            case "bigint" -> "Int64";
            case "numeric" -> "Decimal(38, 18)";
            case "text" -> "String";
            case "boolean" -> "UInt8";
            case "double precision" -> "Float64";
            case "timestamp with time zone" -> "DateTime('UTC')";
            case "timestamp without time zone" -> "DateTime";
            default -> throw new AssertionError("no documented ClickHouse type for " + pgType + " in this test");
        };
    }

    private static Map<String, String> pgTypes(PostgresEndpoint db, String view) {
        Map<String, String> types = new LinkedHashMap<>();
        JsonNode rows = Json.read(db.queryString("SELECT json_agg(json_build_array(attname, format_type(atttypid, atttypmod)) ORDER BY attnum) "
                + "FROM pg_attribute WHERE attrelid = '" + view + "'::regclass AND attnum > 0 AND NOT attisdropped"));
        rows.forEach(r -> types.put(r.get(0).asText(), r.get(1).asText()));
        return types;
    }

    private static Map<String, String> chTypes(ClickHouseEndpoint ch, String table) {
        Map<String, String> types = new LinkedHashMap<>();
        int dot = table.indexOf('.');
        ch.query("SELECT name, type FROM system.columns WHERE database = '" + table.substring(0, dot) + "' AND table = '"
                + table.substring(dot + 1) + "'").forEach(line -> {
                    JsonNode row = Json.read(line);
                    types.put(row.get("name").asText(), row.get("type").asText());
                });
        return types;
    }

    private static List<String> pgRows(PostgresEndpoint db, String view) {
        return normalize(Json.read(db.queryString("SELECT coalesce(json_agg(t), '[]') FROM " + view + " t")));
    }

    /** {@link #chRows}, or no rows while the table cannot be read (not created yet, a shard restarting). */
    private static List<String> chRowsOrEmpty(ClickHouseEndpoint ch, String table, Iterable<String> columns) {
        try {
            return chRows(ch, table, columns);
        } catch (IllegalStateException notReadable) {
            return List.of();
        }
    }

    private static List<String> chRows(ClickHouseEndpoint ch, String table, Iterable<String> columns) {
        String list = String.join(", ", java.util.stream.StreamSupport.stream(columns.spliterator(), false).map(c -> "`" + c + "`").toList());
        List<String> lines = ch.query("SELECT " + list + " FROM " + table + "_current");
        var array = Json.MAPPER.createArrayNode();
        lines.forEach(l -> array.add(Json.read(l)));
        return normalize(array);
    }

    /**
     * Rows as sorted text, each value in one form: numbers without trailing zeros (12.5000000000 equals 12.50),
     * booleans as 1 and 0, timestamps in UTC to the second (ClickHouse 18.16's DateTime keeps seconds).
     */
    private static List<String> normalize(JsonNode rows) {
        List<String> out = new ArrayList<>();
        for (JsonNode row : rows) {
            Map<String, String> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                values.put(field.getKey(), text(field.getValue()));
            }
            out.add(values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}")));
        }
        out.sort(null);
        return out;
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isBoolean()) { // boolean is UInt8 on 18.16 (TYPES.md)
            return value.booleanValue() ? "1" : "0";
        }
        String text = value.asText();
        try {
            return new BigDecimal(text).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException notANumber) {
            return timestamp(text);
        }
    }

    private static String timestamp(String text) {
        try {
            return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).format(SECONDS);
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(text.replace(' ', 'T')).format(SECONDS);
            } catch (DateTimeParseException notATimestamp) {
                return text;
            }
        }
    }
}
