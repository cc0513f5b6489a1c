package io.cdcflow.common.event;

import java.util.Locale;

/** What happened to a row. Serialized in lower case, as in the seed's {@code _metadata.operation}. */
public enum Operation {
    INSERT, UPDATE, DELETE, /** a row copied by the initial snapshot */ READ, TRUNCATE;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wire;
    }

    public static Operation fromWire(String name) {
        if (name == null) {
            throw new IllegalArgumentException("_metadata.operation is missing");
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown _metadata.operation '" + name
                    + "' (expected insert, update, delete, read or truncate)");
        }
    }
}
