package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Evaluation values ({@link Kind}): read from the JSON of change events and written back as it, numbers as numeric
 * or double, literals' types, and the error a value that cannot be computed raises. Casts ({@link PgCasts}),
 * arithmetic ({@link PgArithmetic}) and ordering ({@link PgOrdering}) have classes of their own. Pure.
 */
final class PgValues {
    private PgValues() {
    }

    /** A value of a change event's JSON as an evaluation value of the column's kind; null for SQL NULL. */
    static Object fromJson(JsonNode node, Kind kind) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (kind) {
            case INT -> node.isIntegralNumber() ? node.longValue() : Long.parseLong(node.asText().trim());
            case NUMERIC -> node.isNumber() ? node.decimalValue() : node.asText(); // NaN, Infinity stay text
            case FLOAT -> node.isNumber() ? node.doubleValue() : PgCasts.parseFloat(node.asText());
            case BOOL -> node.isBoolean() ? node.booleanValue() : PgCasts.parseBool(node.asText());
            case TEXT -> node.isTextual() ? node.textValue() : node.toString();
            case OTHER -> node;
        };
    }

    /** An evaluation value as the JSON the change events would carry for it. */
    static JsonNode toJson(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof BigDecimal d) {
            return f.numberNode(d);
        }
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return f.textNode("NaN");
            }
            return d.isInfinite() ? f.textNode(d > 0 ? "Infinity" : "-Infinity") : f.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof String s) {
            return f.textNode(s);
        }
        return (JsonNode) value;
    }

    static BigDecimal numeric(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        if (v instanceof String s) {
            throw new EvalException("numeric value " + s + " cannot be used in arithmetic here");
        }
        throw new EvalException("not a number: " + v);
    }

    static double asDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof String s) {
            return PgCasts.parseFloat(s);
        }
        throw new EvalException("not a number: " + v);
    }

    static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    /** A whole-number literal's type: integer, bigint, or numeric beyond bigint, as PostgreSQL types literals. */
    static Object wholeLiteral(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : new BigDecimal(v);
    }

    /** A value could not be computed (division by zero, overflow, a bad cast): the whole fact row cannot be. */
    static final class EvalException extends RuntimeException {
        EvalException(String message) {
            super(message);
        }
    }
}
