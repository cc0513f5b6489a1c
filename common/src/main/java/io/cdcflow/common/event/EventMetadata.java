package io.cdcflow.common.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The {@code _metadata} block of a change event.
 *
 * @param lsn            WAL position of this change; the same on every re-delivery of the same change
 * @param commitLsn      end of the transaction's commit record; increases in commit order
 * @param seq            0-based position of the change inside its transaction; several changes can share one
 *                       {@code lsn} (multi-row inserts, COPY), so (commitLsn, seq) is the unique, ordered identity
 * @param commitTs       commit time, or null for snapshot rows
 * @param unchangedToast columns left out of {@code payload} because PostgreSQL did not resend an unchanged TOASTed
 *                       value: consumers keep the previous value
 * @param origin         replication origin of the transaction when it was replicated into this server, else null
 */
public record EventMetadata(
        String table,
        String schema,
        Operation operation,
        Lsn lsn,
        Lsn commitLsn,
        long seq,
        long xid,
        Instant commitTs,
        List<String> unchangedToast,
        String origin) {

    public EventMetadata {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(lsn, "lsn");
        Objects.requireNonNull(commitLsn, "commitLsn");
        unchangedToast = unchangedToast == null ? List.of() : List.copyOf(unchangedToast);
    }
}
