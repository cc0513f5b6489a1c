package io.cdcflow.common.schema;

import java.util.List;
import java.util.Objects;

/**
 * A column's type as PostgreSQL states it, with everything a consumer needs to declare an exact column of its own
 * without asking PostgreSQL: the type's name and OID, its modifier decoded, the element type of an array, the base
 * type of a domain, the labels of an enum.
 *
 * @param oid     {@code pg_type.oid}
 * @param name    {@code pg_type.typname}: {@code int4}, {@code numeric}, {@code _text}, {@code mood}
 * @param display the type as {@code format_type} prints it: {@code numeric(12,2)}, {@code character varying(40)}
 * @param typmod  the type modifier ({@code atttypmod}, or the domain's {@code typtypmod}); -1 for none
 * @param element for an array, its element type; else null
 * @param base    for a domain, the type it is defined over (with the domain's modifier); else null
 * @param labels  for an enum, its labels in sort order; else null
 */
public record SqlType(int oid, String name, String display, int typmod, SqlType element, SqlType base, List<String> labels) {
    public SqlType {
        Objects.requireNonNull(name, "name");
        display = display == null ? name : display;
        labels = labels == null ? null : List.copyOf(labels);
    }

    public static SqlType of(int oid, String name, int typmod) {
        return new SqlType(oid, name, name, typmod, null, null, null);
    }

    public enum Kind { BASE, ARRAY, ENUM, DOMAIN }

    public Kind kind() {
        if (element != null) {
            return Kind.ARRAY;
        }
        if (base != null) {
            return Kind.DOMAIN;
        }
        return labels != null ? Kind.ENUM : Kind.BASE;
    }

    /** Domains resolved to the type they are defined over, as many levels as there are. */
    public SqlType resolved() {
        return base == null ? this : base.resolved();
    }

    /** numeric's declared precision, or null for an unconstrained numeric (and any other type). */
    public Integer numericPrecision() {
        return isNumeric() && typmod >= 4 ? ((typmod - 4) >> 16) & 0xFFFF : null;
    }

    /** numeric's declared scale (PostgreSQL 15 allows it negative or above the precision), or null. */
    public Integer numericScale() {
        if (!isNumeric() || typmod < 4) {
            return null;
        }
        int scale = (typmod - 4) & 0x7FF;
        return scale > 1023 ? scale - 2048 : scale; // an 11-bit signed field
    }

    /** The declared length of {@code varchar(n)} and {@code char(n)}, or null. */
    public Integer length() {
        return (name.equals("varchar") || name.equals("bpchar")) && typmod >= 4 ? typmod - 4 : null;
    }

    /** The declared fractional-second digits of {@code timestamp(p)}, {@code time(p)} and the like, or null. */
    public Integer secondsPrecision() {
        return switch (name) {
            case "timestamp", "timestamptz", "time", "timetz" -> typmod >= 0 ? typmod : null;
            case "interval" -> typmod >= 0 && (typmod & 0xFFFF) != 0xFFFF ? typmod & 0xFFFF : null;
            default -> null;
        };
    }

    private boolean isNumeric() {
        return name.equals("numeric");
    }
}
