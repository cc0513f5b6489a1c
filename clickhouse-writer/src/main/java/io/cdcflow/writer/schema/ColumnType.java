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
 * JSON value is encoded for it in an INSERT. The mapping is documented in TYPES.md beside this module.
 */
public enum ColumnType {
    INT64, DECIMAL, FLOAT64, BOOL, STRING, DATETIME, JSON_TEXT;

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2})?");
    private static final DateTimeFormatter CH_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter CH_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** Where the digits of yyyy-MM-ddTHH:mm:ss are. */
    private static final int[] DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
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
     * The value as ClickHouse reads it for this column (the writer sends it as text).
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

    /**
     * A timestamp as the column's server reads it, in UTC.
     *
     * @throws IllegalArgumentException when {@code raw} is not an ISO-8601 timestamp
     */
    public static String dateTime(String raw, ServerInfo server) {
        String common = utcWithoutParsing(raw, server.hasDateTime64());
        if (common != null) {
            return common;
        }
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

    /**
     * The common case without java.time: a UTC timestamp ({@code Z}, {@code +00}, {@code +00:00} or no offset) whose
     * day exists in every month. Anything else returns null and takes the general path.
     */
    static String utcWithoutParsing(String s, boolean micros) {
        int n = s.length();
        if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        for (int i : DIGITS) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        int month = twoDigits(s, 5);
        int day = twoDigits(s, 8);
        if (month < 1 || month > 12 || day < 1 || day > 28 || twoDigits(s, 11) > 23 || twoDigits(s, 14) > 59 || twoDigits(s, 17) > 59) {
            return null;
        }
        int end = 19;
        int fraction = end;
        if (end < n && s.charAt(end) == '.') {
            fraction = ++end;
            while (end < n && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
                end++;
            }
            if (end == fraction || end - fraction > 9) {
                return null;
            }
        }
        int zone = n - end;
        boolean utc = zone == 0 || (zone == 1 && s.charAt(end) == 'Z')
                || ((zone == 3 || zone == 5 || zone == 6) && s.startsWith(zone == 6 ? "+00:00" : zone == 5 ? "+0000" : "+00", end));
        if (!utc) {
            return null;
        }
        StringBuilder out = new StringBuilder(26).append(s, 0, 10).append(' ').append(s, 11, 19);
        if (micros) {
            out.append('.');
            for (int i = 0; i < 6; i++) {
                int at = fraction + i;
                out.append(at < end && fraction < end ? s.charAt(at) : '0');
            }
        }
        return out.toString();
    }

    private static int twoDigits(String s, int at) {
        return (s.charAt(at) - '0') * 10 + (s.charAt(at + 1) - '0');
    }
}
