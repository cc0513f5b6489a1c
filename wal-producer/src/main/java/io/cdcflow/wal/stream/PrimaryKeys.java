package io.cdcflow.wal.stream;

import java.util.List;

/** The primary-key columns of a table, in key order; empty when it has none. */
@FunctionalInterface
public interface PrimaryKeys {
    List<String> of(String schema, String table);

    /**
     * The primary key of the relation pgoutput names by OID: WAL written before a table was dropped or renamed
     * still replays. Empty when the catalog no longer has it (the key flags pgoutput sent are used then).
     */
    default List<String> ofRelation(int oid, String schema, String table) {
        return of(schema, table);
    }
}
