package io.cdcflow.writer.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cdcflow.common.json.Json;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * The ClickHouse column types the writer uses, how each is declared on a current and an old server, and how a
 * JSON value is encoded for it in JSONEachRow. The mapping is documented in TYPES.md beside this module.
 */
public enum ColumnType {
    INT64, DECIMAL, FLOAT64, BOOL, STRING, DATETIME, JSON_TEXT;

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})?");
    private static final DateTimeFormatter CH_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter CH_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();

    /** The type a column gets from the first non-null value seen in it. */
    public static ColumnType infer(JsonNode value) {
        if (value.isIntegralNumber()) {
            return INT64;
        }
        if (value.isNumber()) {
            return DECIMAL;
        }
        if (value.isBoolean()) {
            return BOOL;
        }
        if (value.isTextual() && TIMESTAMP.matcher(value.asText()).matches()) {
            return DATETIME;
        }
        if (value.isTextual()) {
            return STRING;
        }
        return JSON_TEXT;
    }

    /** The declaration, not nullable (for key columns). */
    public String ddl(ServerInfo server) {
        return switch (this) {
            case INT64 -> "Int64";
            case DECIMAL -> "Decimal(38, 10)";
            case FLOAT64 -> "Float64";
            case BOOL -> server.hasBool() ? "Bool" : "UInt8";
            case STRING, JSON_TEXT -> "String";
            case DATETIME -> server.hasDateTime64() ? "DateTime64(6, 'UTC')" : "DateTime('UTC')";
        };
    }

    /**
     * The value as ClickHouse's JSONEachRow reads it for this column.
     *
     * @throws IllegalArgumentException when the value does not fit, with what was expected
     */
    public JsonNode encode(JsonNode value, ServerInfo server) {
        if (value == null || value.isNull()) {
            return NODES.nullNode();
        }
        switch (this) {
            case INT64 -> {
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return value;
                }
                if (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0 && value.canConvertToLong()) {
                    return NODES.numberNode(value.longValue());
                }
                throw new IllegalArgumentException("expected a whole number for Int64, got " + value);
            }
            case DECIMAL, FLOAT64 -> {
                if (value.isNumber()) {
                    // Decimals go as JSON numbers: old servers reject a quoted decimal.
                    return value;
                }
                if (value.isTextual() && (value.asText().equals("NaN") || value.asText().endsWith("Infinity")) && this == FLOAT64) {
                    return value;
                }
                throw new IllegalArgumentException("expected a number for " + name() + ", got " + value);
            }
            case BOOL -> {
                if (value.isBoolean()) {
                    return server.hasBool() ? value : NODES.numberNode(value.asBoolean() ? 1 : 0);
                }
                throw new IllegalArgumentException("expected true or false, got " + value);
            }
            case STRING -> {
                return value.isTextual() ? value : NODES.textNode(value.isValueNode() ? value.asText() : Json.text(value));
            }
            case JSON_TEXT -> {
                return NODES.textNode(value.isTextual() ? value.asText() : Json.text(value));
            }
            case DATETIME -> {
                return NODES.textNode(dateTime(value.asText(), server));
            }
            default -> throw new IllegalStateException(name());
        }
    }

    private static String dateTime(String raw, ServerInfo server) {
        // PostgreSQL's own form (2026-11-24 10:00:00+00) is accepted as well as ISO-8601.
        String text = raw.length() > 10 && raw.charAt(10) == ' ' ? raw.substring(0, 10) + "T" + raw.substring(11) : raw;
        LocalDateTime utc;
        try {
            utc = OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException withoutOffset) {
            try {
                utc = LocalDateTime.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expected an ISO-8601 timestamp, got \"" + raw + "\"");
            }
        }
        return utc.format(server.hasDateTime64() ? CH_MICROS : CH_SECONDS);
    }
}
