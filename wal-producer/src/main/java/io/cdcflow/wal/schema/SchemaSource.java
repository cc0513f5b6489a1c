package io.cdcflow.wal.schema;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Relation;
import java.util.List;

/** Describes a table as pgoutput announced it: the schema its records are published with. */
@FunctionalInterface
public interface SchemaSource {
    /**
     * @param keyColumns the columns records are keyed by, in key order
     * @param lsn        the commit LSN of the transaction the Relation message came in (the snapshot's consistent
     *                   point for the snapshot)
     */
    RowSchema describe(Relation relation, List<String> keyColumns, long lsn);
}
