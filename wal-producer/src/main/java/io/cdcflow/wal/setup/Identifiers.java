package io.cdcflow.wal.setup;

/** Quoting for identifiers PostgreSQL takes literally: a table named {@code order} works. */
public final class Identifiers {
    private Identifiers() {
    }

    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public static String qualified(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }
}
