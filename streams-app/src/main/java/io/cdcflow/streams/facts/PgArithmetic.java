package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.SqlType;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * PostgreSQL's arithmetic where a fact's expressions need it: {@code + - * / %} and unary minus with PostgreSQL's
 * result types, integer ranges, and numeric division's scale. Pure.
 */
final class PgArithmetic {
    /** PostgreSQL's NUMERIC_MIN_SIG_DIGITS: a numeric quotient has at least this many significant digits. */
    private static final int MIN_SIG_DIGITS = 16;
    private static final BigDecimal TEN_THOUSAND = BigDecimal.valueOf(10_000);

    private PgArithmetic() {
    }

    /** {@code a op b} for two values already of the result's kind. */
    static Object arithmetic(char op, Object a, Object b, SqlType result) {
        if (a == null || b == null) {
            return null;
        }
        return switch (Kind.of(result)) {
            case INT -> checkInt(wholeArithmetic(op, (Long) a, (Long) b), result);
            case NUMERIC -> numericArithmetic(op, PgValues.numeric(a), PgValues.numeric(b));
            case FLOAT -> floatArithmetic(op, (Double) a, (Double) b, result);
            default -> throw new PgValues.EvalException("operator " + op + " on " + result.display());
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
                        throw new PgValues.EvalException("division by zero");
                    }
                    yield a / b; // truncates toward zero, as PostgreSQL's integer division
                }
                case '%' -> {
                    if (b == 0) {
                        throw new PgValues.EvalException("division by zero");
                    }
                    yield a % b;
                }
                default -> throw new IllegalArgumentException("operator " + op);
            };
        } catch (ArithmeticException e) {
            throw new PgValues.EvalException("bigint out of range");
        }
    }

    private static BigDecimal numericArithmetic(char op, BigDecimal a, BigDecimal b) {
        return switch (op) {
            case '+' -> a.add(b);
            case '-' -> a.subtract(b);
            case '*' -> a.multiply(b);
            case '/' -> {
                if (b.signum() == 0) {
                    throw new PgValues.EvalException("division by zero");
                }
                yield a.divide(b, divisionScale(a, b), RoundingMode.HALF_UP);
            }
            case '%' -> {
                if (b.signum() == 0) {
                    throw new PgValues.EvalException("division by zero");
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
                    throw new PgValues.EvalException("division by zero");
                }
                yield a / b;
            }
            default -> throw new PgValues.EvalException("operator " + op + " is not defined for " + result.display());
        };
        if (Double.isInfinite(r) && !Double.isInfinite(a) && !Double.isInfinite(b)) {
            throw new PgValues.EvalException("value out of range: overflow");
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
                throw new PgValues.EvalException("bigint out of range");
            }
            return checkInt(-l, type);
        }
        if (value instanceof BigDecimal d) {
            return d.negate();
        }
        if (value instanceof Double d) {
            return -d;
        }
        throw new PgValues.EvalException("operator - is not defined for " + type.display());
    }

    static Object checkInt(long value, SqlType type) {
        switch (type.resolved().name()) {
            case "int2" -> {
                if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) {
                    throw new PgValues.EvalException("smallint out of range");
                }
            }
            case "int4" -> {
                if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                    throw new PgValues.EvalException("integer out of range");
                }
            }
            default -> {
            }
        }
        return value;
    }
}
