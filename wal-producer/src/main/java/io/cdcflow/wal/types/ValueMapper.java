package io.cdcflow.wal.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cdcflow.common.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Maps a value in PostgreSQL's text output format to JSON, by type. The table is documented in TYPES.md beside this
 * module. The connection must use {@code IntervalStyle=iso_8601} and {@code DateStyle=ISO} (the wal-producer sets
 * both), and {@code extra_float_digits=3} so floats round-trip.
 */
public final class ValueMapper {
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();
    private static final DateTimeFormatter PG_TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendPattern("[XXXXX][XXX][X]")
            .toFormatter();

    private final PgTypeRegistry types;

    public ValueMapper(PgTypeRegistry types) {
        this.types = types;
    }

    public JsonNode map(int typeOid, String text) {
        if (text == null) {
            return NODES.nullNode();
        }
        PgType type = types.get(typeOid);
        if (type == null) {
            return NODES.textNode(text);
        }
        if (type.baseOid() != 0) {
            return map(type.baseOid(), text);
        }
        if (type.category() == 'A') {
            return array(type.elementOid(), text);
        }
        return switch (type.oid()) {
            case PgTypeRegistry.BOOL -> NODES.booleanNode("t".equals(text) || "true".equals(text));
            case PgTypeRegistry.INT2, PgTypeRegistry.INT4, PgTypeRegistry.INT8, PgTypeRegistry.OID -> integer(text);
            case PgTypeRegistry.NUMERIC -> decimal(text);
            case PgTypeRegistry.FLOAT4, PgTypeRegistry.FLOAT8 -> floating(text);
            case PgTypeRegistry.JSON, PgTypeRegistry.JSONB -> Json.read(text);
            case PgTypeRegistry.BYTEA -> NODES.textNode(bytea(text));
            case PgTypeRegistry.TIMESTAMP -> NODES.textNode(infinityOr(text, () -> text.replace(' ', 'T')));
            case PgTypeRegistry.TIMESTAMPTZ -> NODES.textNode(infinityOr(text, () -> timestamptz(text)));
            default -> NODES.textNode(text);
        };
    }

    private static JsonNode integer(String text) {
        try {
            return NODES.numberNode(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return NODES.numberNode(new BigInteger(text));
        }
    }

    /** Exact: the digits PostgreSQL sent, as a JSON number. NaN and infinities (PostgreSQL 14+) become strings. */
    private static JsonNode decimal(String text) {
        return switch (text) {
            case "NaN", "Infinity", "-Infinity" -> NODES.textNode(text);
            default -> NODES.numberNode(new BigDecimal(text));
        };
    }

    private static JsonNode floating(String text) {
        return switch (text) {
            case "NaN", "Infinity", "-Infinity" -> NODES.textNode(text);
            default -> NODES.numberNode(new BigDecimal(text));
        };
    }

    /** bytea's hex output ({@code \x0102}) as base64. */
    private static String bytea(String text) {
        if (text.startsWith("\\x")) {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(text, 2, text.length()));
        }
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static String infinityOr(String text, java.util.function.Supplier<String> convert) {
        return "infinity".equals(text) || "-infinity".equals(text) || text.endsWith(" BC") ? text : convert.get();
    }

    /** Any offset PostgreSQL printed ({@code +00}, {@code +05:30}) to ISO-8601 in UTC. */
    private static String timestamptz(String text) {
        String utc = utcWithoutParsing(text);
        if (utc != null) {
            return utc;
        }
        try {
            return OffsetDateTime.parse(text, PG_TIMESTAMPTZ).withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
        } catch (DateTimeParseException e) {
            return text;
        }
    }

    /**
     * The common case, a session in UTC: {@code 2026-11-24 10:15:30.12+00} becomes {@code 2026-11-24T10:15:30.120Z},
     * exactly as {@link java.time.Instant#toString} prints it, without parsing. Any other shape returns null.
     */
    static String utcWithoutParsing(String text) {
        int n = text.length();
        if (n < 22 || !text.endsWith("+00") || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        for (int i : DIGITS) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return null;
            }
        }
        int end = n - 3;
        StringBuilder out = new StringBuilder(n + 4).append(text, 0, 10).append('T').append(text, 11, 19);
        if (end > 19) {
            if (text.charAt(19) != '.' || end - 20 < 1 || end - 20 > 9) {
                return null;
            }
            int nanos = 0;
            for (int i = 20; i < 29; i++) {
                char c = i < end ? text.charAt(i) : '0';
                if (c < '0' || c > '9') {
                    return null;
                }
                nanos = nanos * 10 + (c - '0');
            }
            // Instant prints groups of three digits, as many as the value needs.
            if (nanos != 0) {
                String nine = String.valueOf(1_000_000_000 + nanos).substring(1);
                out.append('.').append(nine, 0, nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9);
            }
        }
        return out.append('Z').toString();
    }

    /** Where the digits of yyyy-MM-dd HH:mm:ss are. */
    private static final int[] DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};

    private JsonNode array(int elementOid, String text) {
        ArrayLiteralParser parser = new ArrayLiteralParser(text);
        return parser.parse(element -> map(elementOid, element));
    }

    /** Parses PostgreSQL's array output: {@code {1,2,NULL}}, {@code {"a b","c\"d"}}, {@code {{1,2},{3,4}}}. */
    static final class ArrayLiteralParser {
        private final String text;
        private int pos;

        ArrayLiteralParser(String text) {
            // Arrays with custom lower bounds print as [0:2]={...}: the bounds are dropped.
            int eq = text.startsWith("[") ? text.indexOf('=') : -1;
            this.text = eq > 0 ? text.substring(eq + 1) : text;
        }

        ArrayNode parse(java.util.function.Function<String, JsonNode> element) {
            return level(element);
        }

        private ArrayNode level(java.util.function.Function<String, JsonNode> element) {
            ArrayNode out = NODES.arrayNode();
            expect('{');
            if (peek() == '}') {
                pos++;
                return out;
            }
            while (true) {
                char c = peek();
                if (c == '{') {
                    out.add(level(element));
                } else if (c == '"') {
                    out.add(element.apply(quoted()));
                } else {
                    String raw = unquoted();
                    out.add("NULL".equals(raw) ? NODES.nullNode() : element.apply(raw));
                }
                char next = text.charAt(pos++);
                if (next == '}') {
                    return out;
                }
                if (next != ',') {
                    throw new IllegalArgumentException("malformed array literal at " + pos + ": " + text);
                }
            }
        }

        private String quoted() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    sb.append(text.charAt(pos++));
                } else if (c == '"') {
                    return sb.toString();
                } else {
                    sb.append(c);
                }
            }
        }

        private String unquoted() {
            int start = pos;
            while (text.charAt(pos) != ',' && text.charAt(pos) != '}') {
                pos++;
            }
            return text.substring(start, pos).trim();
        }

        private char peek() {
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (text.charAt(pos++) != c) {
                throw new IllegalArgumentException("malformed array literal, expected '" + c + "': " + text);
            }
        }
    }
}
