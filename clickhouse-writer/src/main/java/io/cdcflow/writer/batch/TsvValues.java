package io.cdcflow.writer.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ClickHouseType;
import io.cdcflow.writer.schema.ServerInfo;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Checks a JSON value (as the wal-producer writes it, wal-producer/TYPES.md) against its ClickHouse column and
 * writes it as TabSeparated text. The one definition of what fits: the encoder's fast paths call the same checks.
 * A value that does not fit throws {@link IllegalArgumentException} saying what was expected.
 */
final class TsvValues {
    private static final DateTimeFormatter CH_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter CH_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** Where the digits of yyyy-MM-ddTHH:mm:ss are (of yyyy-MM-dd HH:mm:ss too). */
    static final int[] DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};

    private final ServerInfo server;
    private final String minDate;
    private final String maxDate;
    private final String minDateTime;
    private final String maxDateTime;

    TsvValues(ServerInfo server) {
        this.server = server;
        boolean wide = server.hasDate32();
        // 18.16 shows the zero date (1970-01-01) as 0000-00-00: the smallest value it shows as a date is a day later.
        this.minDate = wide ? "1900-01-01" : "1970-01-02";
        this.maxDate = wide ? "2299-12-31" : "2105-12-31";
        this.minDateTime = server.hasDateTime64() ? "1900-01-01 00:00:00.000000" : "1970-01-02 00:00:00";
        this.maxDateTime = server.hasDateTime64() ? "2299-12-31 23:59:59.999999" : "2105-12-31 23:59:59";
    }

    /** Writes a non-null value of a top-level column. */
    void write(ClickHouseType type, JsonNode value, TsvBytes out) {
        switch (type.kind()) {
            case INT -> out.ascii(integer(type, value));
            case DECIMAL -> out.ascii(decimal(type, value));
            case FLOAT -> out.ascii(floating(value));
            case BOOL -> out.ascii(bool(value));
            case UUID -> out.ascii(uuid(value));
            case DATE -> out.ascii(date(value.isTextual() ? value.asText() : value.toString()));
            case DATETIME -> out.ascii(dateTime(textOf(value, "a timestamp")));
            case BYTES -> out.escapedBytes(bytes(value), false);
            case ARRAY -> array(type, value, out);
            case STRING, ENUM -> out.escaped(text(value));
            case JSON -> out.escaped(Json.text(value));
        }
    }

    /** What a non-Nullable column holds for a deleted row whose old values PostgreSQL did not send. */
    static String zero(ClickHouseType type) {
        return switch (type.kind()) {
            case INT, DECIMAL, FLOAT -> "0";
            case BOOL -> "0";
            case UUID -> "00000000-0000-0000-0000-000000000000";
            case DATE -> "1970-01-01";
            case DATETIME -> "1970-01-01 00:00:00";
            case ARRAY -> "[]";
            case STRING, JSON, ENUM, BYTES -> "";
        };
    }

    String integer(ClickHouseType type, JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return checkRange(type, value.longValue(), value);
        }
        if (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0 && value.canConvertToLong()) {
            return checkRange(type, value.longValue(), value);
        }
        throw new IllegalArgumentException("expected a whole number, got " + value);
    }

    static String checkRange(ClickHouseType type, long v, Object shown) {
        if (!fits(type, v)) {
            throw new IllegalArgumentException("expected a whole number that fits " + type.base() + ", got " + shown);
        }
        return Long.toString(v);
    }

    /** Whether a whole number fits an integer column. */
    static boolean fits(ClickHouseType type, long v) {
        return type.bits() >= 64 || (v >= -(1L << (type.bits() - 1)) && v < (1L << (type.bits() - 1)));
    }

    /**
     * Whether a JSON number's text ({@code -?digits(.digits)?}, no exponent) fits a decimal column as it is: no more
     * digits after the point than the scale, no more before it (leading zeros aside) than precision minus scale. Such
     * text is the value's exact form in ClickHouse's TabSeparated too; anything else takes {@link #decimal}.
     */
    static boolean plainDecimalFits(ClickHouseType type, char[] text, int offset, int length) {
        int i = offset;
        int end = offset + length;
        if (i < end && text[i] == '-') {
            i++;
        }
        while (i < end && text[i] == '0') {
            i++;
        }
        int integerStart = i;
        while (i < end && text[i] >= '0' && text[i] <= '9') {
            i++;
        }
        if (i - integerStart > type.precision() - type.scale()) {
            return false;
        }
        if (i == end) {
            return true;
        }
        if (text[i] != '.') {
            return false; // an exponent
        }
        int fractionStart = ++i;
        while (i < end && text[i] >= '0' && text[i] <= '9') {
            i++;
        }
        return i == end && i > fractionStart && i - fractionStart <= type.scale();
    }

    /** Exact digits, checked against the declared precision and scale: never rounded. */
    static String decimal(ClickHouseType type, JsonNode value) {
        if (value.isTextual()) {
            throw new IllegalArgumentException("expected a number, got " + value + (value.asText().matches("-?Infinity|NaN")
                    ? " (ClickHouse decimals cannot hold it)" : ""));
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("expected a number, got " + value);
        }
        return decimal(type, value.decimalValue(), value.toString());
    }

    static String decimal(ClickHouseType type, BigDecimal d, String shown) {
        if (d.scale() > type.scale()) {
            d = d.stripTrailingZeros();
            if (d.scale() > type.scale()) {
                throw new IllegalArgumentException(shown + " has more than " + type.scale() + " digits after the point");
            }
        }
        int integerDigits = d.precision() - d.scale();
        if (integerDigits > type.precision() - type.scale()) {
            throw new IllegalArgumentException(shown + " is out of the range of " + type.base());
        }
        return d.toPlainString();
    }

    static String floating(JsonNode value) {
        if (value.isNumber()) {
            return value.isBigDecimal() ? value.decimalValue().toString() : value.asText();
        }
        if (value.isTextual()) {
            switch (value.asText()) {
                case "NaN" -> {
                    return "nan";
                }
                case "Infinity" -> {
                    return "inf";
                }
                case "-Infinity" -> {
                    return "-inf";
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException("expected a number, NaN or an infinity, got " + value);
    }

    String bool(JsonNode value) {
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("expected true or false, got " + value);
        }
        return server.hasBool() ? (value.asBoolean() ? "true" : "false") : (value.asBoolean() ? "1" : "0");
    }

    static String uuid(JsonNode value) {
        String text = value.isTextual() ? value.asText() : "";
        if (!isUuid(text)) {
            throw new IllegalArgumentException("expected a UUID, got " + value);
        }
        return text;
    }

    static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * A date: {@code infinity}, {@code -infinity}, BC dates and dates outside the column's range become the range's
     * end (TYPES.md).
     */
    String date(String text) {
        if (text.equals("infinity")) {
            return maxDate;
        }
        if (text.equals("-infinity") || text.endsWith(" BC")) {
            return minDate;
        }
        if (text.length() > 10 && text.indexOf('-') > 4) {
            return maxDate; // a year past 9999
        }
        if (text.length() != 10 || text.charAt(4) != '-' || text.charAt(7) != '-') {
            throw new IllegalArgumentException("expected a date (yyyy-MM-dd), got \"" + text + "\"");
        }
        try {
            java.time.LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a date (yyyy-MM-dd), got \"" + text + "\"");
        }
        return text.compareTo(minDate) < 0 ? minDate : text.compareTo(maxDate) > 0 ? maxDate : text;
    }

    /**
     * A timestamp as the column's server reads it, in UTC, clamped to the column's range like dates.
     *
     * @throws IllegalArgumentException when {@code raw} is not an ISO-8601 timestamp
     */
    String dateTime(String raw) {
        if (raw.equals("infinity")) {
            return maxDateTime;
        }
        if (raw.equals("-infinity") || raw.endsWith(" BC")) {
            return minDateTime;
        }
        if (raw.indexOf('-') > 4) {
            return maxDateTime; // a year past 9999
        }
        String text = convert(raw);
        return text.compareTo(minDateTime) < 0 ? minDateTime : text.compareTo(maxDateTime) > 0 ? maxDateTime : text;
    }

    private String convert(String raw) {
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

    /** bytea arrives base64-encoded; the column holds the raw bytes. */
    static byte[] bytes(JsonNode value) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("expected base64 text (bytea), got " + value);
        }
        try {
            return Base64.getDecoder().decode(value.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected base64 text (bytea), got " + value);
        }
    }

    /** Strings as they are; json and jsonb (embedded JSON) as JSON text; other scalars as their text. */
    static String text(JsonNode value) {
        return value.isTextual() ? value.asText() : value.isValueNode() ? value.asText() : Json.text(value);
    }

    private static String textOf(JsonNode value, String what) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("expected " + what + ", got " + value);
        }
        return value.asText();
    }

    /** An array literal: {@code [1,NULL,3]}, {@code ['a','b\'c']}. Multi-dimensional arrays do not fit one column. */
    private void array(ClickHouseType type, JsonNode value, TsvBytes out) {
        if (!value.isArray()) {
            throw new IllegalArgumentException("expected an array, got " + value);
        }
        ClickHouseType element = type.element();
        out.write('[');
        boolean first = true;
        for (JsonNode item : value) {
            if (!first) {
                out.write(',');
            }
            first = false;
            if (item.isNull()) {
                out.ascii("NULL");
                continue;
            }
            if (item.isArray()) {
                throw new IllegalArgumentException("multi-dimensional arrays do not fit " + type.base() + "; got " + value);
            }
            switch (element.kind()) {
                case INT -> out.ascii(integer(element, item));
                case DECIMAL -> out.ascii(decimal(element, item));
                case FLOAT -> out.ascii(floating(item));
                case BOOL -> out.ascii(bool(item));
                case UUID -> quoted(uuid(item), out);
                case DATE -> quoted(date(textOf(item, "a date")), out);
                case DATETIME -> quoted(dateTime(textOf(item, "a timestamp")), out);
                case BYTES -> {
                    out.write('\'');
                    out.escapedBytes(bytes(item), true);
                    out.write('\'');
                }
                case JSON -> quoted(Json.text(item), out);
                default -> quoted(text(item), out);
            }
        }
        out.write(']');
    }

    private static void quoted(String text, TsvBytes out) {
        out.write('\'');
        out.escaped(text.toCharArray(), 0, text.length(), true);
        out.write('\'');
    }
}
