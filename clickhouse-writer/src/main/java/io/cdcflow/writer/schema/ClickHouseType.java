package io.cdcflow.writer.schema;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.SqlType;
import java.util.Locale;

/**
 * The ClickHouse type of a column, from its PostgreSQL type alone (never from a value): the table in TYPES.md beside
 * this module. Current servers get the exact types; an old server (Debian's 18.16) gets the fallback each row of the
 * table names.
 *
 * @param kind      how values are checked and written
 * @param base      the declaration without Nullable: {@code Decimal(12, 2)}, {@code Array(Nullable(Int32))}
 * @param nullable  whether the column is {@code Nullable(...)} (never for arrays, which ClickHouse cannot wrap)
 * @param element   for an array, the type of its elements
 * @param precision for decimals, the digits in all
 * @param scale     for decimals, the digits after the point; for date-times, the fractional-second digits kept
 * @param bits      for integers, their width; for floats 32 or 64
 */
public record ClickHouseType(Kind kind, String base, boolean nullable, ClickHouseType element, int precision, int scale, int bits) {

    /** {@code JSON}: a json or jsonb value, held as its JSON text (a JSON string keeps its quotes). */
    public enum Kind { INT, DECIMAL, FLOAT, BOOL, STRING, JSON, BYTES, UUID, DATE, DATETIME, ARRAY, ENUM }

    /** The declaration as system.columns shows it. */
    public String declaration() {
        if (!nullable) {
            return base;
        }
        return base.startsWith("LowCardinality(") ? "LowCardinality(Nullable(" + base.substring(15) + ")" : "Nullable(" + base + ")";
    }

    public ClickHouseType withNullable(boolean isNullable) {
        return kind == Kind.ARRAY ? this : new ClickHouseType(kind, base, isNullable, element, precision, scale, bits);
    }

    /** The column's type on {@code server}: NOT NULL columns are not Nullable, nullable ones are. */
    public static ClickHouseType of(Column column, ServerInfo server) {
        return of(column.type(), server).withNullable(!column.notNull());
    }

    /** The type of a value of {@code type}, not nullable. */
    public static ClickHouseType of(SqlType type, ServerInfo server) {
        SqlType t = type.resolved();
        switch (t.kind()) {
            case ARRAY -> {
                ClickHouseType element = of(t.element(), server);
                if (element.kind == Kind.ENUM) {
                    element = simple(Kind.STRING, "String");
                }
                element = element.withNullable(true);
                return new ClickHouseType(Kind.ARRAY, "Array(" + element.declaration() + ")", false, element, 0, 0, 0);
            }
            case ENUM -> {
                return server.hasLowCardinality() ? simple(Kind.ENUM, "LowCardinality(String)") : simple(Kind.STRING, "String");
            }
            default -> {
                return scalar(t, server);
            }
        }
    }

    private static ClickHouseType scalar(SqlType t, ServerInfo server) {
        return switch (t.name()) {
            case "int2" -> integer("Int16", 16);
            case "int4" -> integer("Int32", 32);
            case "int8" -> integer("Int64", 64);
            case "numeric" -> decimal(t, server);
            case "float4" -> new ClickHouseType(Kind.FLOAT, "Float32", false, null, 0, 0, 32);
            case "float8" -> new ClickHouseType(Kind.FLOAT, "Float64", false, null, 0, 0, 64);
            case "bool" -> server.hasBool() ? simple(Kind.BOOL, "Bool") : simple(Kind.BOOL, "UInt8");
            case "uuid" -> simple(Kind.UUID, "UUID");
            case "bytea" -> simple(Kind.BYTES, "String");
            case "date" -> server.hasDate32() ? simple(Kind.DATE, "Date32") : simple(Kind.DATE, "Date");
            case "timestamp" -> dateTime(server, false);
            case "timestamptz" -> dateTime(server, true);
            case "json", "jsonb" -> simple(Kind.JSON, "String");
            // text, varchar, char, name, time, timetz, interval, money, inet, ...: PostgreSQL's text form
            default -> simple(Kind.STRING, "String");
        };
    }

    private static ClickHouseType decimal(SqlType t, ServerInfo server) {
        Integer p = t.numericPrecision();
        Integer s = t.numericScale();
        int maxPrecision = server.hasWideNumbers() ? 76 : 38;
        if (p == null || s < 0 || s > p || p > maxPrecision) {
            // Unconstrained numeric (or a declaration ClickHouse cannot hold): the widest decimal the server has.
            p = maxPrecision;
            s = server.hasWideNumbers() ? 38 : 18;
        }
        return new ClickHouseType(Kind.DECIMAL, "Decimal(" + p + ", " + s + ")", false, null, p, s, 0);
    }

    private static ClickHouseType dateTime(ServerInfo server, boolean utc) {
        if (server.hasDateTime64()) {
            return new ClickHouseType(Kind.DATETIME, utc ? "DateTime64(6, 'UTC')" : "DateTime64(6)", false, null, 0, 6, 0);
        }
        return new ClickHouseType(Kind.DATETIME, utc ? "DateTime('UTC')" : "DateTime", false, null, 0, 0, 0);
    }

    private static ClickHouseType integer(String name, int bits) {
        return new ClickHouseType(Kind.INT, name, false, null, 0, 0, bits);
    }

    private static ClickHouseType simple(Kind kind, String name) {
        return new ClickHouseType(kind, name, false, null, 0, 0, 0);
    }

    /** How a type read back from system.columns compares with ours: the server's own spelling. */
    public static String normalized(String declaration) {
        return declaration.replace(" ", "").toLowerCase(Locale.ROOT);
    }
}
