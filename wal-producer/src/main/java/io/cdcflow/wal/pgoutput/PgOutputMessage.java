package io.cdcflow.wal.pgoutput;

import java.time.Instant;
import java.util.List;

/**
 * The messages of PostgreSQL's logical replication protocol (pgoutput, protocol version 1), as typed values.
 * See "Logical Replication Message Formats" in the PostgreSQL manual.
 */
public sealed interface PgOutputMessage {

    /** 'B': a transaction starts. {@code finalLsn} is the LSN of its commit record. */
    record Begin(long finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
    }

    /** 'C': the transaction ends. {@code endLsn} is where the next transaction starts: the LSN to confirm. */
    record Commit(int flags, long commitLsn, long endLsn, Instant commitTime) implements PgOutputMessage {
    }

    /** 'O': the transaction was replicated into this server from another. */
    record Origin(long originLsn, String name) implements PgOutputMessage {
    }

    /** 'R': a table's shape, sent before its first change and again after every ALTER TABLE. */
    record Relation(int oid, String schema, String table, ReplicaIdentity replicaIdentity, List<Column> columns)
            implements PgOutputMessage {
    }

    /** 'Y': a non-built-in type (an enum, a domain) used by a following relation. */
    record Type(int oid, String schema, String name) implements PgOutputMessage {
    }

    record Insert(int relationOid, TupleData newTuple) implements PgOutputMessage {
    }

    /**
     * 'U'. {@code oldTuple} is present under REPLICA IDENTITY FULL (kind 'O') or when the key changed (kind 'K',
     * only key columns set); otherwise null.
     */
    record Update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple) implements PgOutputMessage {
    }

    /** 'D': {@code oldKind} 'K' (key columns only) or 'O' (whole old row, REPLICA IDENTITY FULL). */
    record Delete(int relationOid, char oldKind, TupleData oldTuple) implements PgOutputMessage {
    }

    record Truncate(List<Integer> relationOids, boolean cascade, boolean restartIdentity) implements PgOutputMessage {
    }

    /** 'M': a message written with pg_logical_emit_message. */
    record LogicalMessage(boolean transactional, long lsn, String prefix, byte[] content) implements PgOutputMessage {
    }

    /** A column of a {@link Relation}. */
    record Column(boolean partOfKey, String name, int typeOid, int typeModifier) {
    }

    enum ReplicaIdentity {
        DEFAULT, NOTHING, FULL, INDEX;

        static ReplicaIdentity of(char code) {
            return switch (code) {
                case 'd' -> DEFAULT;
                case 'n' -> NOTHING;
                case 'f' -> FULL;
                case 'i' -> INDEX;
                default -> throw new PgOutputFormatException("unknown replica identity '" + code + "'");
            };
        }
    }
}
