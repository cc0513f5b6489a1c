package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cdcflow.common.schema.SqlType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * PostgreSQL's casts where a fact's expressions need them: between the kinds of evaluation values ({@link Kind}), to a
 * type's typmod (numeric scale and precision, varchar and char lengths), and to text as PostgreSQL's output functions
 * print. Pure.
 */
final class PgCasts {
    private PgCasts() {
    }

    /** A value of kind {@code from} (type {@code fromType}) cast to {@code to}, as PostgreSQL's cast does. */
    static Object cast(Object value, SqlType fromType, SqlType to) {
        if (value == null) {
            return null;
        }
        Kind from = Kind.of(fromType);
        Kind target = Kind.of(to);
        return switch (target) {
            case INT -> PgArithmetic.checkInt(toWhole(value, from), to);
            case NUMERIC -> applyTypmod(toNumeric(value, from), to);
            case FLOAT -> toFloat(value, from, to);
            case BOOL -> switch (from) {
                case BOOL -> value;
                case INT -> ((Long) value) != 0;
                case TEXT -> parseBool((String) value);
                default -> throw new PgValues.EvalException("cannot cast " + fromType.display() + " to boolean");
            };
            case TEXT -> applyLength(text(value, fromType), to);
            case OTHER -> {
                if (from == Kind.OTHER || from == Kind.TEXT) {
                    yield value instanceof String s ? JsonNodeFactory.instance.textNode(s) : value;
                }
                throw new PgValues.EvalException("cannot cast " + fromType.display() + " to " + to.display());
            }
        };
    }

    /** The text PostgreSQL's output function (or cast to text) gives for a value of the type. */
    static String text(Object value, SqlType type) {
        if (value instanceof String s) {
            return type.resolved().name().equals("bpchar") ? PgValues.stripTrailingSpaces(s) : s;
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
        throw new PgValues.EvalException("cannot convert " + type.display() + " to text");
    }

    private static long toWhole(Object value, Kind from) {
        return switch (from) {
            case INT -> (Long) value;
            case NUMERIC -> {
                BigDecimal d = PgValues.numeric(value).setScale(0, RoundingMode.HALF_UP); // numeric to int rounds half away from zero
                if (d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw new PgValues.EvalException("bigint out of range");
                }
                yield d.longValueExact();
            }
            case FLOAT -> {
                double d = Math.rint((Double) value); // float to int rounds half to even
                if (Double.isNaN(d) || d >= 9.223372036854775807E18 || d < -9.223372036854775808E18) {
                    throw new PgValues.EvalException("bigint out of range");
                }
                yield (long) d;
            }
            case BOOL -> ((Boolean) value) ? 1 : 0;
            case TEXT -> {
                try {
                    yield Long.parseLong(((String) value).trim());
                } catch (NumberFormatException e) {
                    throw new PgValues.EvalException("invalid input syntax for type integer: \"" + value + "\"");
                }
            }
            case OTHER -> throw new PgValues.EvalException("cannot cast " + value + " to an integer");
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
                    throw new PgValues.EvalException("invalid input syntax for type numeric: \"" + value + "\"");
                }
            }
            default -> throw new PgValues.EvalException("cannot cast " + value + " to numeric");
        };
    }

    private static Double toFloat(Object value, Kind from, SqlType to) {
        double d = switch (from) {
            case INT -> (Long) value;
            case NUMERIC, FLOAT -> PgValues.asDouble(value);
            case TEXT -> parseFloat((String) value);
            default -> throw new PgValues.EvalException("cannot cast " + value + " to " + to.display());
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
            throw new PgValues.EvalException("numeric field overflow: " + d.toPlainString() + " does not fit " + type.display());
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

    static double parseFloat(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "infinity", "inf", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    throw new PgValues.EvalException("invalid input syntax for type double precision: \"" + s + "\"");
                }
            }
        };
    }

    static boolean parseBool(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "t", "true", "yes", "y", "on", "1" -> true;
            case "f", "false", "no", "n", "off", "0" -> false;
            default -> throw new PgValues.EvalException("invalid input syntax for type boolean: \"" + s + "\"");
        };
    }
}
