package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The functions a fact may call, each declared once: its names, how many arguments it takes, how they are typed and
 * converted (with the compiler's rules, {@link Typing}), its result type, and how it is evaluated, with PostgreSQL's
 * semantics. {@link ExprCompiler} types a call from its declaration, {@link Expr.Call} evaluates it, and the list of
 * supported functions in errors (and in README, checked by a test) comes from here. Pure.
 */
final class Functions {
    private Functions() {
    }

    /** What a declaration may ask of the compiler while it types a call. */
    interface Typing {
        /** A text argument; an untyped literal is read as text; other kinds are refused. */
        Expr text(Expr arg);

        /** Refuses an argument that is not of a text kind. */
        void requireText(Expr arg);

        /** Refuses an argument that is not a number. */
        void requireNumber(Expr arg, String what);

        /** The argument converted to {@code type} (a literal read as it, else a cast). */
        Expr to(Expr arg, SqlType type);

        /** A refusal naming the call. */
        RuntimeException refuse(String message);
    }

    /** A call typed: its arguments as evaluated, and the result's type. */
    record Typed(List<Expr> args, SqlType type) {
    }

    interface Typer {
        Typed type(List<Expr> args, Typing typing);
    }

    interface Evaluator {
        /** The value for these argument values (none NULL, unless the function is not strict). */
        Object eval(Expr.Call call, List<Object> values);
    }

    /**
     * One function.
     *
     * @param strict NULL when any argument is NULL (PostgreSQL's STRICT); else the evaluator sees the NULLs, and the
     *               result is never NULL
     */
    record Definition(List<String> names, int minArgs, int maxArgs, boolean strict, Typer typer, Evaluator evaluator) {
    }

    private static final Map<String, Definition> BY_NAME = new LinkedHashMap<>();

    static {
        declare(new Definition(List.of("lower"), 1, 1, true, (args, t) -> new Typed(List.of(t.text(args.get(0))), SqlTypes.TEXT),
                (call, v) -> PgCasts.text(v.get(0), call.args().get(0).type()).toLowerCase(Locale.ROOT)));
        declare(new Definition(List.of("upper"), 1, 1, true, (args, t) -> new Typed(List.of(t.text(args.get(0))), SqlTypes.TEXT),
                (call, v) -> PgCasts.text(v.get(0), call.args().get(0).type()).toUpperCase(Locale.ROOT)));
        declare(new Definition(List.of("length", "char_length"), 1, 1, true,
                (args, t) -> new Typed(List.of(t.text(args.get(0))), SqlTypes.INT4),
                (call, v) -> {
                    String s = PgCasts.text(v.get(0), call.args().get(0).type());
                    return (long) s.codePointCount(0, s.length());
                }));
        declare(new Definition(List.of("abs"), 1, 1, true, Functions::absType, (call, v) -> {
            Object x = v.get(0);
            return x instanceof BigDecimal d ? d.abs() : x instanceof Double d ? Math.abs(d)
                    : PgArithmetic.checkInt(Math.absExact((Long) x), call.type());
        }));
        declare(new Definition(List.of("round"), 1, 2, true, Functions::roundType, (call, v) -> round(v.get(0), v.size() > 1 ? v.get(1) : 0L)));
        // NULL arguments are skipped, and the result is never NULL
        declare(new Definition(List.of("concat"), 0, Integer.MAX_VALUE, false, (args, t) -> {
            args.forEach(t::requireText);
            return new Typed(args, SqlTypes.TEXT);
        }, (call, v) -> {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < v.size(); i++) {
                if (v.get(i) != null) {
                    s.append(PgCasts.text(v.get(i), call.args().get(i).type()));
                }
            }
            return s.toString();
        }));
    }

    private static void declare(Definition definition) {
        definition.names().forEach(name -> BY_NAME.put(name, definition));
    }

    /** The declaration of a function by its (lower-case) name, or null. */
    static Definition get(String name) {
        return BY_NAME.get(name);
    }

    /** Every name a fact may call, in declaration order: {@code lower, upper, length, ...}. */
    static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    /** The supported functions for an error message: COALESCE and NULLIF (expressions of their own), then these. */
    static String supported() {
        return "COALESCE, NULLIF, " + String.join(", ", names());
    }

    private static Typed absType(List<Expr> args, Typing t) {
        Expr x = args.get(0);
        t.requireNumber(x, "abs()");
        SqlType type = Kind.of(x.type()) == Kind.INT ? ExprCompiler.plainInt(x.type())
                : Kind.of(x.type()) == Kind.FLOAT ? SqlTypes.FLOAT8 : SqlTypes.NUMERIC;
        return new Typed(List.of(t.to(x, type)), type);
    }

    private static Typed roundType(List<Expr> args, Typing t) {
        Expr value = args.get(0);
        Kind kind = Kind.of(value.type());
        if (args.size() == 1 && kind == Kind.FLOAT) {
            return new Typed(List.of(t.to(value, SqlTypes.FLOAT8)), SqlTypes.FLOAT8);
        }
        if (kind != Kind.NUMERIC && kind != Kind.INT) {
            throw t.refuse("round() takes a numeric here, not " + value.type().display());
        }
        List<Expr> typed = new ArrayList<>(List.of(t.to(value, SqlTypes.NUMERIC)));
        if (args.size() == 2) {
            if (Kind.of(args.get(1).type()) != Kind.INT && args.get(1).type() != ExprCompiler.UNKNOWN) { // NULL is an integer too
                throw t.refuse("round()'s second argument must be an integer");
            }
            typed.add(t.to(args.get(1), SqlTypes.INT4));
        }
        return new Typed(typed, SqlTypes.NUMERIC);
    }

    private static Object round(Object value, Object places) {
        if (value instanceof Double d) {
            return Math.rint(d); // round(double precision) rounds half to even
        }
        BigDecimal d = (BigDecimal) value;
        int scale = (int) (long) (Long) places;
        BigDecimal r = d.setScale(scale, RoundingMode.HALF_UP);
        return scale < 0 ? r.setScale(0) : r;
    }
}
