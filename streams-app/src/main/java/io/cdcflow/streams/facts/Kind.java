package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.SqlType;

/**
 * How an expression's values are held while a fact is computed, from its PostgreSQL type: whole numbers as
 * {@code Long}, numerics as {@code BigDecimal} (a numeric NaN or infinity as its text), floats as {@code Double},
 * booleans, text as {@code String}; any other type is carried as the change event's JSON value, unchanged.
 */
enum Kind {
    INT, NUMERIC, FLOAT, BOOL, TEXT, OTHER;

    static Kind of(SqlType type) {
        SqlType t = type.resolved();
        if (t.kind() == SqlType.Kind.ENUM) {
            return TEXT;
        }
        return switch (t.name()) {
            case "int2", "int4", "int8" -> INT;
            case "numeric" -> NUMERIC;
            case "float4", "float8" -> FLOAT;
            case "bool" -> BOOL;
            case "text", "varchar", "bpchar", "name", "unknown" -> TEXT;
            default -> OTHER;
        };
    }

    boolean isNumber() {
        return this == INT || this == NUMERIC || this == FLOAT;
    }
}
