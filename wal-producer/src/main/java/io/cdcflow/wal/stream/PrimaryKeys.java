package io.cdcflow.wal.stream;

import java.util.List;

/** The primary-key columns of a table, in key order; empty when it has none. */
@FunctionalInterface
public interface PrimaryKeys {
    List<String> of(String schema, String table);
}
