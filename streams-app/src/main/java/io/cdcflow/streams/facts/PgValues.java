package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cdcflow.common.schema.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * PostgreSQL's value semantics where a fact's expressions need them: conversions between the JSON of change events
 * and evaluation values ({@link Kind}), casts, arithmetic with PostgreSQL's result types, ranges and numeric scales,
 * and comparisons. Pure.
 */
final class PgValues {
    /** PostgreSQL's NUMERIC_MIN_SIG_DIGITS: a numeric quotient has at least this many significant digits. */
    private static final int MIN_SIG_DIGITS = 16;
    private static final BigDecimal TEN_THOUSAND = BigDecimal.valueOf(10_000);

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
            case FLOAT -> node.isNumber() ? node.doubleValue() : parseFloat(node.asText());
            case BOOL -> node.isBoolean() ? node.booleanValue() : parseBool(node.asText());
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

    /** A value of kind {@code from} (type {@code fromType}) cast to {@code to}, as PostgreSQL's cast does. */
    static Object cast(Object value, SqlType fromType, SqlType to) {
        if (value == null) {
            return null;
        }
        Kind from = Kind.of(fromType);
        Kind target = Kind.of(to);
        return switch (target) {
            case INT -> checkInt(toWhole(value, from), to);
            case NUMERIC -> applyTypmod(toNumeric(value, from), to);
            case FLOAT -> toFloat(value, from, to);
            case BOOL -> switch (from) {
                case BOOL -> value;
                case INT -> ((Long) value) != 0;
                case TEXT -> parseBool((String) value);
                default -> throw new EvalException("cannot cast " + fromType.display() + " to boolean");
            };
            case TEXT -> applyLength(text(value, fromType), to);
            case OTHER -> {
                if (from == Kind.OTHER || from == Kind.TEXT) {
                    yield value instanceof String s ? JsonNodeFactory.instance.textNode(s) : value;
                }
                throw new EvalException("cannot cast " + fromType.display() + " to " + to.display());
            }
        };
    }

    /** The text PostgreSQL's output function (or cast to text) gives for a value of the type. */
    static String text(Object value, SqlType type) {
        if (value instanceof String s) {
            return type.resolved().name().equals("bpchar") ? stripTrailingSpaces(s) : s;
        }
        if (value instanceof Long l) {
            return Long.toString(l);
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (value instanceof JsonNode node && node.isTextual()) {
            return node.textValue();
        }
        throw new EvalException("cannot convert " + type.display() + " to text");
    }

    /** {@code a op b} for two values already of the result's kind. */
    static Object arithmetic(char op, Object a, Object b, SqlType result) {
        if (a == null || b == null) {
            return null;
        }
        return switch (Kind.of(result)) {
            case INT -> checkInt(wholeArithmetic(op, (Long) a, (Long) b), result);
            case NUMERIC -> numericArithmetic(op, numeric(a), numeric(b));
            case FLOAT -> floatArithmetic(op, (Double) a, (Double) b, result);
            default -> throw new EvalException("operator " + op + " on " + result.display());
        };
    }

    private static long wholeArithmetic(char op, long a, long b) {
        try {
            return switch (op) {
                case '+' -> Math.addExact(a, b);
                case '-' -> Math.subtractExact(a, b);
                case '*' -> Math.multiplyExact(a, b);
                case '/' -> {
                    if (b == 0) {
                        throw new EvalException("division by zero");
                    }
                    yield a / b; // truncates toward zero, as PostgreSQL's integer division
                }
                case '%' -> {
                    if (b == 0) {
                        throw new EvalException("division by zero");
                    }
                    yield a % b;
                }
                default -> throw new IllegalArgumentException("operator " + op);
            };
        } catch (ArithmeticException e) {
            throw new EvalException("bigint out of range");
        }
    }

    private static BigDecimal numericArithmetic(char op, BigDecimal a, BigDecimal b) {
        return switch (op) {
            case '+' -> a.add(b);
            case '-' -> a.subtract(b);
            case '*' -> a.multiply(b);
            case '/' -> {
                if (b.signum() == 0) {
                    throw new EvalException("division by zero");
                }
                yield a.divide(b, divisionScale(a, b), RoundingMode.HALF_UP);
            }
            case '%' -> {
                if (b.signum() == 0) {
                    throw new EvalException("division by zero");
                }
                yield a.remainder(b);
            }
            default -> throw new IllegalArgumentException("operator " + op);
        };
    }

    private static Double floatArithmetic(char op, double a, double b, SqlType result) {
        double r = switch (op) {
            case '+' -> a + b;
            case '-' -> a - b;
            case '*' -> a * b;
            case '/' -> {
                if (b == 0) {
                    throw new EvalException("division by zero");
                }
                yield a / b;
            }
            default -> throw new EvalException("operator " + op + " is not defined for " + result.display());
        };
        if (Double.isInfinite(r) && !Double.isInfinite(a) && !Double.isInfinite(b)) {
            throw new EvalException("value out of range: overflow");
        }
        return result.resolved().name().equals("float4") ? (double) (float) r : r;
    }

    /**
     * The scale PostgreSQL gives a numeric quotient (numeric.c, select_div_scale): at least 16 significant digits,
     * and no less than either operand's scale, estimated from the base-10000 digits PostgreSQL stores.
     */
    static int divisionScale(BigDecimal a, BigDecimal b) {
        int[] wa = weightAndFirstDigit(a);
        int[] wb = weightAndFirstDigit(b);
        int qweight = wa[0] - wb[0];
        if (wa[1] <= wb[1]) {
            qweight--;
        }
        int scale = MIN_SIG_DIGITS - qweight * 4;
        scale = Math.max(scale, Math.max(a.scale(), 0));
        scale = Math.max(scale, Math.max(b.scale(), 0));
        return Math.min(scale, 1000);
    }

    /** The weight (position of the first non-zero base-10000 digit) and that digit; {0, 0} for zero. */
    private static int[] weightAndFirstDigit(BigDecimal v) {
        BigDecimal abs = v.abs();
        if (abs.signum() == 0) {
            return new int[] {0, 0};
        }
        int exponent = abs.precision() - abs.scale() - 1; // floor(log10(abs))
        int weight = Math.floorDiv(exponent, 4);
        BigDecimal first = abs.movePointLeft(4 * weight).setScale(0, RoundingMode.DOWN);
        if (first.compareTo(TEN_THOUSAND) >= 0) { // guard against an exponent off by one
            weight++;
            first = abs.movePointLeft(4 * weight).setScale(0, RoundingMode.DOWN);
        }
        return new int[] {weight, first.intValue()};
    }

    /** Unary minus. */
    static Object negate(Object value, SqlType type) {
        if (value == null) {
            return null;
        }
        if (value instanceof Long l) {
            if (l == Long.MIN_VALUE) {
                throw new EvalException("bigint out of range");
            }
            return checkInt(-l, type);
        }
        if (value instanceof BigDecimal d) {
            return d.negate();
        }
        if (value instanceof Double d) {
            return -d;
        }
        throw new EvalException("operator - is not defined for " + type.display());
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
            return Double.compare(asDouble(a), asDouble(b));
        }
        if (a instanceof BigDecimal || b instanceof BigDecimal) {
            if (a instanceof String || b instanceof String) { // numeric NaN or infinity
                return numericSpecialOrder(a) - numericSpecialOrder(b);
            }
            return numeric(a).compareTo(numeric(b));
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

    private static double asDouble(Object v) {
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
            return parseFloat(s);
        }
        throw new EvalException("not a number: " + v);
    }

    private static long toWhole(Object value, Kind from) {
        return switch (from) {
            case INT -> (Long) value;
            case NUMERIC -> {
                BigDecimal d = numeric(value).setScale(0, RoundingMode.HALF_UP); // numeric to int rounds half away from zero
                if (d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw new EvalException("bigint out of range");
                }
                yield d.longValueExact();
            }
            case FLOAT -> {
                double d = Math.rint((Double) value); // float to int rounds half to even
                if (Double.isNaN(d) || d >= 9.223372036854775807E18 || d < -9.223372036854775808E18) {
                    throw new EvalException("bigint out of range");
                }
                yield (long) d;
            }
            case BOOL -> ((Boolean) value) ? 1 : 0;
            case TEXT -> {
                try {
                    yield Long.parseLong(((String) value).trim());
                } catch (NumberFormatException e) {
                    throw new EvalException("invalid input syntax for type integer: \"" + value + "\"");
                }
            }
            case OTHER -> throw new EvalException("cannot cast " + value + " to an integer");
        };
    }

    private static Object toNumeric(Object value, Kind from) {
        return switch (from) {
            case INT -> BigDecimal.valueOf((Long) value);
            case NUMERIC -> value;
            case FLOAT -> {
                double d = (Double) value;
                if (Double.isNaN(d)) {
                    yield "NaN";
                }
                if (Double.isInfinite(d)) {
                    yield d > 0 ? "Infinity" : "-Infinity";
                }
                // PostgreSQL prints the double with 15 significant digits and reads that back as numeric
                BigDecimal r = new BigDecimal(d).round(new MathContext(15, RoundingMode.HALF_EVEN)).stripTrailingZeros();
                yield r.scale() < 0 ? r.setScale(0) : r;
            }
            case TEXT -> {
                String s = ((String) value).trim();
                try {
                    BigDecimal d = new BigDecimal(s);
                    yield d.scale() < 0 ? d.setScale(0) : d;
                } catch (NumberFormatException e) {
                    if (s.equalsIgnoreCase("nan")) {
                        yield "NaN";
                    }
                    throw new EvalException("invalid input syntax for type numeric: \"" + value + "\"");
                }
            }
            default -> throw new EvalException("cannot cast " + value + " to numeric");
        };
    }

    private static Double toFloat(Object value, Kind from, SqlType to) {
        double d = switch (from) {
            case INT -> (Long) value;
            case NUMERIC, FLOAT -> asDouble(value);
            case TEXT -> parseFloat((String) value);
            default -> throw new EvalException("cannot cast " + value + " to " + to.display());
        };
        return to.resolved().name().equals("float4") ? (double) (float) d : d;
    }

    /** A numeric value rounded to the type's scale, refused when it has more integer digits than the precision allows. */
    private static Object applyTypmod(Object value, SqlType type) {
        Integer precision = type.numericPrecision();
        if (precision == null || !(value instanceof BigDecimal d)) {
            return value;
        }
        int scale = type.numericScale();
        BigDecimal rounded = d.setScale(scale, RoundingMode.HALF_UP);
        if (rounded.signum() != 0 && rounded.precision() - rounded.scale() > precision - scale) {
            throw new EvalException("numeric field overflow: " + d.toPlainString() + " does not fit " + type.display());
        }
        return rounded;
    }

    /** An explicit cast to varchar(n) or char(n) truncates, as PostgreSQL's does. */
    private static String applyLength(String s, SqlType type) {
        Integer length = type.length();
        if (length == null || s.codePointCount(0, s.length()) <= length) {
            if (length != null && type.resolved().name().equals("bpchar")) {
                return s + " ".repeat(length - s.codePointCount(0, s.length()));
            }
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, length));
    }

    static Object checkInt(long value, SqlType type) {
        switch (type.resolved().name()) {
            case "int2" -> {
                if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) {
                    throw new EvalException("smallint out of range");
                }
            }
            case "int4" -> {
                if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                    throw new EvalException("integer out of range");
                }
            }
            default -> {
            }
        }
        return value;
    }

    private static double parseFloat(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "infinity", "inf", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw new EvalException("invalid input syntax for type double precision: \"" + s + "\"");
                }
            }
        };
    }

    private static boolean parseBool(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "t", "true", "yes", "y", "on", "1" -> true;
            case "f", "false", "no", "n", "off", "0" -> false;
            default -> throw new EvalException("invalid input syntax for type boolean: \"" + s + "\"");
        };
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
