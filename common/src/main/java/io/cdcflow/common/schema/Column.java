package io.cdcflow.common.schema;

import java.util.Objects;

/** One column of a {@link RowSchema}: its name exactly as PostgreSQL has it, its type, and whether it is NOT NULL. */
public record Column(String name, SqlType type, boolean notNull) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public Column nullable() {
        return notNull ? new Column(name, type, false) : this;
    }

    public Column named(String newName) {
        return newName.equals(name) ? this : new Column(newName, type, notNull);
    }
}
