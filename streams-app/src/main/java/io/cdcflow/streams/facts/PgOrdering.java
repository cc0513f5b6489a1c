package io.cdcflow.streams.facts;

import java.math.BigDecimal;

/**
 * PostgreSQL's ordering of values where a fact's comparisons need it: numbers by value with NaN above all, text by
 * code point (the C collation), booleans false first. Pure.
 */
final class PgOrdering {
    private PgOrdering() {
    }

    /**
     * Compares two non-null values of one kind: numbers by value (NaN above every other number, as PostgreSQL
     * orders it), text by its characters (the C collation), booleans false before true; other types only for
     * equality (0 or 1).
     */
    static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof Double || b instanceof Double) {
            return Double.compare(PgValues.asDouble(a), PgValues.asDouble(b));
        }
        if (a instanceof BigDecimal || b instanceof BigDecimal) {
            if (a instanceof String || b instanceof String) { // numeric NaN or infinity
                return numericSpecialOrder(a) - numericSpecialOrder(b);
            }
            return PgValues.numeric(a).compareTo(PgValues.numeric(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        return a.equals(b) ? 0 : 1;
    }

    private static int numericSpecialOrder(Object v) {
        if (v instanceof String s) {
            return switch (s) {
                case "NaN" -> 3;
                case "Infinity" -> 2;
                default -> -2;
            };
        }
        return 0;
    }
}
