package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.util.List;

/**
 * A compiled expression of a fact's select list or WHERE: typed as PostgreSQL types it, evaluated with PostgreSQL's
 * semantics on NULLs (three-valued logic) and numbers ({@link PgValues}). Operands of different types have been
 * converted to one by {@link ExprCompiler} with explicit {@link Cast}s, so evaluation never guesses.
 */
sealed interface Expr {
    /** The result's PostgreSQL type. */
    SqlType type();

    /** Whether the result can never be NULL (PostgreSQL's NOT NULL where the fact keeps it). */
    boolean notNull();

    /** The value for one joined row; null is SQL NULL. */
    Object eval(Row row);

    /** A condition: its type is boolean. */
    sealed interface Predicate extends Expr {
        @Override
        default SqlType type() {
            return SqlTypes.BOOL;
        }
    }

    /** The source rows of one fact, by alias: null for an alias without a row (a LEFT JOIN that found none). */
    interface Row {
        JsonNode get(String alias, String column);
    }

    record Col(String alias, String column, SqlType type, boolean notNull) implements Expr {
        @Override
        public Object eval(Row row) {
            return PgValues.fromJson(row.get(alias, column), Kind.of(type));
        }
    }

    record Const(Object value, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return value != null;
        }

        @Override
        public Object eval(Row row) {
            return value;
        }
    }

    record Cast(Expr operand, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return operand.notNull();
        }

        @Override
        public Object eval(Row row) {
            return PgCasts.cast(operand.eval(row), operand.type(), type);
        }
    }

    /** {@code + - * / %} on operands already of the result type. */
    record Arithmetic(char op, Expr left, Expr right, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return left.notNull() && right.notNull();
        }

        @Override
        public Object eval(Row row) {
            Object a = left.eval(row);
            return a == null ? null : PgArithmetic.arithmetic(op, a, right.eval(row), type);
        }
    }

    record Negate(Expr operand) implements Expr {
        @Override
        public SqlType type() {
            return operand.type();
        }

        @Override
        public boolean notNull() {
            return operand.notNull();
        }

        @Override
        public Object eval(Row row) {
            return PgArithmetic.negate(operand.eval(row), operand.type());
        }
    }

    /** {@code ||}: NULL when either side is. */
    record Concat(Expr left, Expr right) implements Expr {
        @Override
        public SqlType type() {
            return SqlTypes.TEXT;
        }

        @Override
        public boolean notNull() {
            return left.notNull() && right.notNull();
        }

        @Override
        public Object eval(Row row) {
            Object a = left.eval(row);
            Object b = a == null ? null : right.eval(row);
            return b == null ? null : PgCasts.text(a, left.type()) + PgCasts.text(b, right.type());
        }
    }

    record Coalesce(List<Expr> args, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return args.stream().anyMatch(Expr::notNull);
        }

        @Override
        public Object eval(Row row) {
            for (Expr arg : args) {
                Object v = arg.eval(row);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }
    }

    /** {@code NULLIF(a, b)}: the value of {@code a}, NULL when it equals {@code b}; {@code b} has a's type. */
    record NullIf(Expr value, Expr other) implements Expr {
        @Override
        public SqlType type() {
            return value.type();
        }

        @Override
        public boolean notNull() {
            return false;
        }

        @Override
        public Object eval(Row row) {
            Object a = value.eval(row);
            Object b = other.eval(row);
            return a != null && b != null && PgOrdering.compare(a, b) == 0 ? null : a;
        }
    }

    /** A searched CASE (a simple CASE is compiled into one): the first WHEN that is TRUE, else ELSE, else NULL. */
    record Case(List<Expr> conditions, List<Expr> results, Expr otherwise, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return otherwise != null && otherwise.notNull() && results.stream().allMatch(Expr::notNull);
        }

        @Override
        public Object eval(Row row) {
            for (int i = 0; i < conditions.size(); i++) {
                if (Boolean.TRUE.equals(conditions.get(i).eval(row))) {
                    return results.get(i).eval(row);
                }
            }
            return otherwise == null ? null : otherwise.eval(row);
        }
    }

    /** {@code = <> < <= > >=} on operands of one type. */
    record Compare(String op, Expr left, Expr right) implements Predicate {
        @Override
        public boolean notNull() {
            return left.notNull() && right.notNull();
        }

        @Override
        public Object eval(Row row) {
            Object a = left.eval(row);
            Object b = a == null ? null : right.eval(row);
            if (b == null) {
                return null;
            }
            if (a instanceof String x && left.type().resolved().name().equals("bpchar")) {
                a = PgValues.stripTrailingSpaces(x); // char(n) compares without its padding
                b = PgValues.stripTrailingSpaces((String) b);
            }
            int c = PgOrdering.compare(a, b);
            return switch (op) {
                case "=" -> c == 0;
                case "<>" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> throw new IllegalStateException("operator " + op);
            };
        }
    }

    /** AND, OR with three-valued logic: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE. */
    record Logical(boolean and, Expr left, Expr right) implements Predicate {
        @Override
        public boolean notNull() {
            return left.notNull() && right.notNull();
        }

        @Override
        public Object eval(Row row) {
            Boolean a = (Boolean) left.eval(row);
            if (a != null && a != and) {
                return a; // FALSE AND x, TRUE OR x
            }
            Boolean b = (Boolean) right.eval(row);
            if (b != null && b != and) {
                return b;
            }
            return a == null || b == null ? null : and;
        }
    }

    record Not(Expr operand) implements Predicate {
        @Override
        public boolean notNull() {
            return operand.notNull();
        }

        @Override
        public Object eval(Row row) {
            Boolean v = (Boolean) operand.eval(row);
            return v == null ? null : !v;
        }
    }

    record IsNull(Expr operand, boolean negated) implements Predicate {
        @Override
        public boolean notNull() {
            return true;
        }

        @Override
        public Object eval(Row row) {
            return (operand.eval(row) == null) != negated;
        }
    }

    /** A call of a declared function ({@link Functions}), as it was named; its arguments typed by its declaration. */
    record Call(String name, Functions.Definition function, List<Expr> args, SqlType type) implements Expr {
        @Override
        public boolean notNull() {
            return !function.strict() || args.stream().allMatch(Expr::notNull);
        }

        @Override
        public Object eval(Row row) {
            List<Object> values = new java.util.ArrayList<>(args.size());
            for (Expr arg : args) {
                Object v = arg.eval(row);
                if (v == null && function.strict()) {
                    return null;
                }
                values.add(v);
            }
            return function.evaluator().eval(this, values);
        }
    }
}
