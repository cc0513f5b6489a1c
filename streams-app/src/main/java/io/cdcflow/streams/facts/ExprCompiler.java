package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.WhenClause;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Modulo;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.schema.Column;

/**
 * Turns a parsed SQL expression into a typed {@link Expr}, with PostgreSQL's typing: integer arithmetic stays in the
 * wider integer type, mixing in a numeric gives numeric, a float gives double precision; CASE and COALESCE take the
 * common type of their branches (keeping a shared typmod); a string literal takes the type of what it is compared
 * with. Whatever is outside the supported subset is refused with the construct named.
 */
final class ExprCompiler {
    /** Where column references are resolved: the view's FROM and JOIN aliases. */
    interface Scope {
        Expr.Col column(String qualifier, String column, Expression at);
    }

    private static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max", "array_agg", "string_agg",
            "bool_and", "bool_or", "every", "json_agg", "jsonb_agg");

    private final Scope scope;
    private final Refusals refuse;

    ExprCompiler(Scope scope, Refusals refuse) {
        this.scope = scope;
        this.refuse = refuse;
    }

    /** Builds the error for a construct at a position: the view and line are added by the caller's {@link Refusals}. */
    interface Refusals {
        FactsException at(Expression where, String message);
    }

    Expr compile(Expression e) {
        if (e instanceof ExpressionList<?> list && list.size() == 1) { // (x)
            return compile(list.get(0));
        }
        if (e instanceof Column c) {
            if (c.getTable() == null && (c.getColumnName().equalsIgnoreCase("true") || c.getColumnName().equalsIgnoreCase("false"))) {
                return new Expr.Const(c.getColumnName().equalsIgnoreCase("true"), SqlTypes.BOOL);
            }
            return scope.column(c.getTable() == null ? null : Identifiers.fold(c.getTable().getName()),
                    Identifiers.fold(c.getColumnName()), e);
        }
        if (e instanceof LongValue v) {
            Object value = PgValues.wholeLiteral(new java.math.BigInteger(v.getStringValue()));
            if (value instanceof Long l) {
                return new Expr.Const(l, l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? SqlTypes.INT4 : SqlTypes.INT8);
            }
            return new Expr.Const(value, SqlTypes.NUMERIC);
        }
        if (e instanceof DoubleValue) {
            return new Expr.Const(new BigDecimal(e.toString()), SqlTypes.NUMERIC); // 1.50 is a numeric literal in PostgreSQL
        }
        if (e instanceof StringValue s) {
            if (s.getPrefix() != null) {
                throw refuse.at(e, "string literals with a prefix (" + s.getPrefix() + "'...') are not supported");
            }
            return new Expr.Const(s.getValue().replace("''", "'"), UNKNOWN);
        }
        if (e instanceof NullValue) {
            return new Expr.Const(null, UNKNOWN);
        }
        if (e instanceof BooleanValue b) {
            return new Expr.Const(b.getValue(), SqlTypes.BOOL);
        }
        if (e instanceof SignedExpression s) {
            Expr operand = compile(s.getExpression());
            if (s.getSign() == '+') {
                return operand;
            }
            requireNumber(operand, e, "unary -");
            return new Expr.Negate(operand);
        }
        if (e instanceof Concat c) {
            Expr left = compile(c.getLeftExpression());
            Expr right = compile(c.getRightExpression());
            requireText(left, e);
            requireText(right, e);
            return new Expr.Concat(left, right);
        }
        if (e instanceof Addition || e instanceof Subtraction || e instanceof Multiplication || e instanceof Division
                || e instanceof Modulo) {
            return arithmetic((BinaryExpression) e);
        }
        if (e instanceof EqualsTo || e instanceof NotEqualsTo || e instanceof GreaterThan || e instanceof GreaterThanEquals
                || e instanceof MinorThan || e instanceof MinorThanEquals) {
            BinaryExpression b = (BinaryExpression) e;
            String op = b.getStringExpression().equals("!=") ? "<>" : b.getStringExpression();
            return compare(op, compile(b.getLeftExpression()), compile(b.getRightExpression()), e);
        }
        if (e instanceof AndExpression a) {
            return new Expr.Logical(true, bool(a.getLeftExpression()), bool(a.getRightExpression()));
        }
        if (e instanceof OrExpression o) {
            return new Expr.Logical(false, bool(o.getLeftExpression()), bool(o.getRightExpression()));
        }
        if (e instanceof NotExpression n) {
            return new Expr.Not(bool(n.getExpression()));
        }
        if (e instanceof IsNullExpression n) {
            return new Expr.IsNull(compile(n.getLeftExpression()), n.isNot());
        }
        if (e instanceof InExpression in) {
            return in(in);
        }
        if (e instanceof Between b) {
            Expr value = compile(b.getLeftExpression());
            Expr range = new Expr.Logical(true, compare(">=", value, compile(b.getBetweenExpressionStart()), e),
                    compare("<=", value, compile(b.getBetweenExpressionEnd()), e));
            return b.isNot() ? new Expr.Not(range) : range;
        }
        if (e instanceof CaseExpression c) {
            return caseOf(c);
        }
        if (e instanceof CastExpression c) {
            Expr operand = compile(c.getLeftExpression());
            SqlType target = TypeNames.parse(c.getColDataType().toString(), msg -> refuse.at(e, msg));
            return cast(operand, target, e);
        }
        if (e instanceof Function f) {
            return function(f);
        }
        throw refuse.at(e, "the expression " + e + " (" + e.getClass().getSimpleName() + ") is not supported; supported are "
                + "columns, literals, + - * / %, ||, comparisons, AND/OR/NOT, IS [NOT] NULL, IN, BETWEEN, CASE, CAST or ::, "
                + Functions.supported());
    }

    /** The literal type of a quoted string or NULL before context gives it one (PostgreSQL's "unknown"). */
    static final SqlType UNKNOWN = new SqlType(705, "unknown", "unknown", -1, null, null, null);

    private Expr bool(Expression e) {
        Expr x = compile(e);
        if (x.type() == UNKNOWN) {
            return coerce(x, SqlTypes.BOOL, e);
        }
        if (Kind.of(x.type()) != Kind.BOOL) {
            throw refuse.at(e, "argument of AND/OR/NOT/WHERE must be boolean, not " + x.type().display() + ": " + e);
        }
        return x;
    }

    private Expr arithmetic(BinaryExpression b) {
        char op = b.getStringExpression().charAt(0);
        Expr left = compile(b.getLeftExpression());
        Expr right = compile(b.getRightExpression());
        if (left.type() == UNKNOWN && right.type() != UNKNOWN) {
            left = coerce(left, right.type(), b);
        } else if (right.type() == UNKNOWN && left.type() != UNKNOWN) {
            right = coerce(right, left.type(), b);
        }
        requireNumber(left, b, "operator " + op);
        requireNumber(right, b, "operator " + op);
        SqlType result = numericResult(left.type(), right.type());
        if (op == '%' && Kind.of(result) == Kind.FLOAT) {
            throw refuse.at(b, "operator % is not defined for double precision (PostgreSQL has none)");
        }
        return new Expr.Arithmetic(op, to(left, result), to(right, result), result);
    }

    /** The result type PostgreSQL gives an arithmetic operator on two number types. */
    private static SqlType numericResult(SqlType a, SqlType b) {
        Kind ka = Kind.of(a);
        Kind kb = Kind.of(b);
        if (ka == Kind.FLOAT || kb == Kind.FLOAT) {
            boolean bothReal = a.resolved().name().equals("float4") && b.resolved().name().equals("float4");
            return bothReal ? SqlTypes.FLOAT4 : SqlTypes.FLOAT8;
        }
        if (ka == Kind.NUMERIC || kb == Kind.NUMERIC) {
            return SqlTypes.NUMERIC;
        }
        return intRank(a) >= intRank(b) ? plainInt(a) : plainInt(b);
    }

    private static int intRank(SqlType t) {
        return switch (t.resolved().name()) {
            case "int2" -> 1;
            case "int4" -> 2;
            default -> 3;
        };
    }

    static SqlType plainInt(SqlType t) {
        return switch (t.resolved().name()) {
            case "int2" -> SqlTypes.INT2;
            case "int4" -> SqlTypes.INT4;
            default -> SqlTypes.INT8;
        };
    }

    private Expr compare(String op, Expr left, Expr right, Expression at) {
        if (left.type() == UNKNOWN && right.type() != UNKNOWN) {
            left = coerce(left, right.type(), at);
        } else if (right.type() == UNKNOWN && left.type() != UNKNOWN) {
            right = coerce(right, left.type(), at);
        }
        SqlType common = common(List.of(left, right), at, "operator " + op);
        Kind kind = Kind.of(common);
        if (kind == Kind.OTHER && !op.equals("=") && !op.equals("<>")) {
            throw refuse.at(at, "operator " + op + " on " + common.display() + " is not supported (only = and <>)");
        }
        if (common.resolved().kind() == SqlType.Kind.ENUM && !op.equals("=") && !op.equals("<>")) {
            throw refuse.at(at, "operator " + op + " on the enum " + common.display() + " is not supported (only = and <>)");
        }
        return new Expr.Compare(op, to(left, common), to(right, common));
    }

    private Expr in(InExpression in) {
        if (!(in.getRightExpression() instanceof ExpressionList<?> list)) {
            throw refuse.at(in, "IN takes a list of values here, not a subquery");
        }
        Expr value = compile(in.getLeftExpression());
        Expr any = null;
        for (Expression item : list) {
            Expr eq = compare("=", value, compile(item), in);
            any = any == null ? eq : new Expr.Logical(false, any, eq);
        }
        return in.isNot() ? new Expr.Not(any) : any;
    }

    private Expr caseOf(CaseExpression c) {
        Expr subject = c.getSwitchExpression() == null ? null : compile(c.getSwitchExpression());
        List<Expr> conditions = new ArrayList<>();
        List<Expr> results = new ArrayList<>();
        for (WhenClause w : c.getWhenClauses()) {
            conditions.add(subject == null ? bool(w.getWhenExpression()) : compare("=", subject, compile(w.getWhenExpression()), c));
            results.add(compile(w.getThenExpression()));
        }
        Expr otherwise = c.getElseExpression() == null ? null : compile(c.getElseExpression());
        List<Expr> branches = new ArrayList<>(results);
        if (otherwise != null) {
            branches.add(otherwise);
        }
        SqlType type = common(branches, c, "CASE");
        List<Expr> typed = results.stream().map(r -> to(r, type)).toList();
        return new Expr.Case(conditions, typed, otherwise == null ? null : to(otherwise, type), type);
    }

    private Expr function(Function f) {
        String name = f.getName().toLowerCase(Locale.ROOT);
        if (AGGREGATES.contains(name)) {
            throw refuse.at(f, "aggregate function " + name + "() is not supported: a fact is one row per row of its root table");
        }
        if (f.isAllColumns() || f.isDistinct() || f.getKeep() != null) {
            throw refuse.at(f, "function call " + f + " is not supported");
        }
        List<Expr> args = new ArrayList<>();
        if (f.getParameters() != null) {
            for (Expression p : f.getParameters()) {
                args.add(compile(p));
            }
        }
        switch (name) {
            case "coalesce" -> {
                requireArgs(f, args, 1, Integer.MAX_VALUE);
                SqlType type = common(args, f, "COALESCE");
                return new Expr.Coalesce(args.stream().map(a -> to(a, type)).toList(), type);
            }
            case "nullif" -> {
                requireArgs(f, args, 2, 2);
                Expr a = args.get(0).type() == UNKNOWN ? coerce(args.get(0), SqlTypes.TEXT, f) : args.get(0);
                return new Expr.NullIf(a, coerce(args.get(1), a.type(), f));
            }
            default -> {
                Functions.Definition function = Functions.get(name);
                if (function == null) {
                    throw refuse.at(f, "function " + name + "() is not supported; supported are " + Functions.supported());
                }
                requireArgs(f, args, function.minArgs(), function.maxArgs());
                Functions.Typed typed = function.typer().type(args, typing(f));
                return new Expr.Call(name, function, typed.args(), typed.type());
            }
        }
    }

    private Expr cast(Expr operand, SqlType target, Expression at) {
        Kind from = Kind.of(operand.type());
        Kind to = Kind.of(target);
        boolean sameType = operand.type().resolved().name().equals(target.resolved().name());
        boolean supported = sameType || operand.type() == UNKNOWN
                || (to != Kind.OTHER && from != Kind.OTHER && !(from == Kind.FLOAT && to == Kind.TEXT))
                || (to == Kind.TEXT && isTextual(operand.type()));
        if (!supported) {
            throw refuse.at(at, "CAST of " + operand.type().display() + " to " + target.display() + " is not supported");
        }
        if (operand.type() == UNKNOWN && operand instanceof Expr.Const c && c.value() != null) {
            return new Expr.Const(PgCasts.cast(c.value(), SqlTypes.TEXT, target), target); // 'x'::type reads a literal
        }
        return new Expr.Cast(operand, target);
    }

    /** Types whose change-event JSON is PostgreSQL's own text (so casting to text keeps it): uuid, date. */
    private static boolean isTextual(SqlType t) {
        String name = t.resolved().name();
        return name.equals("uuid") || name.equals("date");
    }

    /** A value converted to a type: nothing when it has it already, a literal read as the type, else a cast. */
    private Expr to(Expr e, SqlType type) {
        Kind from = Kind.of(e.type());
        Kind kind = Kind.of(type);
        boolean narrowsFloat = kind == Kind.FLOAT && type.resolved().name().equals("float4")
                && !e.type().resolved().name().equals("float4");
        if (e.type().equals(type) || (from == kind && e.type() != UNKNOWN && type.typmod() < 0 && !narrowsFloat)) {
            return e; // int2 into bigint, numeric(12,2) into numeric, varchar into text: the value stays as it is
        }
        if (e instanceof Expr.Const c) {
            SqlType literalType = c.type() == UNKNOWN ? SqlTypes.TEXT : c.type();
            return new Expr.Const(c.value() == null ? null : PgCasts.cast(c.value(), literalType, type), type);
        }
        return new Expr.Cast(e, type);
    }

    private Expr coerce(Expr e, SqlType type, Expression at) {
        try {
            return to(e, type);
        } catch (PgValues.EvalException ex) {
            throw refuse.at(at, ex.getMessage());
        }
    }

    /** The type several values resolve to (CASE, COALESCE, comparisons), as PostgreSQL's UNION/CASE resolution does. */
    private SqlType common(List<Expr> values, Expression at, String what) {
        SqlType result = null;
        for (Expr v : values) {
            SqlType t = v.type();
            if (t == UNKNOWN) {
                continue;
            }
            if (result == null) {
                result = t;
            } else if (!result.equals(t)) {
                result = unify(result, t, at, what);
            }
        }
        return result == null ? SqlTypes.TEXT : result;
    }

    private SqlType unify(SqlType a, SqlType b, Expression at, String what) {
        Kind ka = Kind.of(a);
        Kind kb = Kind.of(b);
        if (a.resolved().name().equals(b.resolved().name())) {
            return a.typmod() == b.typmod() ? a : new SqlType(a.resolved().oid(), a.resolved().name(), a.resolved().name(), -1, null, null, null);
        }
        if (ka.isNumber() && kb.isNumber()) {
            return numericResult(a, b);
        }
        if (ka == Kind.TEXT && kb == Kind.TEXT && a.resolved().kind() != SqlType.Kind.ENUM && b.resolved().kind() != SqlType.Kind.ENUM) {
            return SqlTypes.TEXT;
        }
        throw refuse.at(at, what + ": types " + a.display() + " and " + b.display() + " cannot be matched");
    }

    private Expr textArg(Expr e, Expression at) {
        if (e.type() == UNKNOWN) {
            return coerce(e, SqlTypes.TEXT, at);
        }
        requireText(e, at);
        return e;
    }

    private void requireText(Expr e, Expression at) {
        Kind k = Kind.of(e.type());
        if (k == Kind.FLOAT || (k == Kind.OTHER && !isTextual(e.type())) || k == Kind.BOOL) {
            throw refuse.at(at, "text operations on " + e.type().display() + " are not supported here; CAST it to text first");
        }
    }

    private void requireNumber(Expr e, Expression at, String what) {
        if (!Kind.of(e.type()).isNumber()) {
            throw refuse.at(at, what + " is not defined for " + e.type().display());
        }
    }

    /** The compiler's rules, for a declaration typing the call {@code f}. */
    private Functions.Typing typing(Function f) {
        return new Functions.Typing() {
            @Override
            public Expr text(Expr arg) {
                return textArg(arg, f);
            }

            @Override
            public void requireText(Expr arg) {
                ExprCompiler.this.requireText(arg, f);
            }

            @Override
            public void requireNumber(Expr arg, String what) {
                ExprCompiler.this.requireNumber(arg, f, what);
            }

            @Override
            public Expr to(Expr arg, SqlType type) {
                return ExprCompiler.this.to(arg, type);
            }

            @Override
            public RuntimeException refuse(String message) {
                return refuse.at(f, message);
            }
        };
    }

    private void requireArgs(Function f, List<Expr> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw refuse.at(f, f.getName() + "() takes " + (min == max ? min : max == Integer.MAX_VALUE ? min + " or more"
                    : min + " or " + max) + " arguments");
        }
    }
}
