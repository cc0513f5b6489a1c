package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.util.Locale;
import java.util.function.Function;

/** The target types a fact's CAST may name, read as PostgreSQL reads them ({@code int}, {@code numeric(12,2)}, ...). */
final class TypeNames {
    private TypeNames() {
    }

    /** @param refuse builds the error for an unsupported type */
    static SqlType parse(String written, Function<String, FactsException> refuse) {
        String s = written.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        String name = s;
        Integer[] args = {};
        int open = s.indexOf('(');
        if (open >= 0 && s.endsWith(")")) {
            name = s.substring(0, open).trim();
            String[] parts = s.substring(open + 1, s.length() - 1).split(",");
            args = new Integer[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    args[i] = Integer.parseInt(parts[i].trim());
                }
            } catch (NumberFormatException e) {
                throw refuse.apply("type modifier of " + written + " is not a number");
            }
        }
        return switch (name) {
            case "smallint", "int2" -> plain(SqlTypes.INT2, args, written, refuse);
            case "int", "integer", "int4" -> plain(SqlTypes.INT4, args, written, refuse);
            case "bigint", "int8" -> plain(SqlTypes.INT8, args, written, refuse);
            case "real", "float4" -> plain(SqlTypes.FLOAT4, args, written, refuse);
            case "double precision", "float8", "float" -> plain(SqlTypes.FLOAT8, args, written, refuse);
            case "boolean", "bool" -> plain(SqlTypes.BOOL, args, written, refuse);
            case "text" -> plain(SqlTypes.TEXT, args, written, refuse);
            case "numeric", "decimal" -> switch (args.length) {
                case 0 -> SqlTypes.NUMERIC;
                case 1 -> SqlTypes.numeric(args[0], 0);
                case 2 -> SqlTypes.numeric(args[0], args[1]);
                default -> throw refuse.apply("numeric takes a precision and a scale: " + written);
            };
            case "varchar", "character varying" -> args.length == 0
                    ? new SqlType(1043, "varchar", "character varying", -1, null, null, null)
                    : SqlTypes.varchar(args[0]);
            case "char", "character", "bpchar" -> {
                int length = args.length == 0 ? 1 : args[0];
                yield new SqlType(1042, "bpchar", "character(" + length + ")", length + 4, null, null, null);
            }
            case "uuid" -> plain(SqlTypes.UUID, args, written, refuse);
            case "date" -> plain(SqlTypes.DATE, args, written, refuse);
            default -> throw refuse.apply("CAST to " + written + " is not supported; supported are smallint, integer, "
                    + "bigint, numeric(p,s), real, double precision, boolean, text, varchar(n), char(n), uuid, date");
        };
    }

    private static SqlType plain(SqlType type, Integer[] args, String written, Function<String, FactsException> refuse) {
        if (args.length > 0) {
            throw refuse.apply("type " + written + " takes no modifier");
        }
        return type;
    }
}
