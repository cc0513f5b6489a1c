package io.cdcflow.streams.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * The current state of one source row, as a source table's store keeps it: the columns the facts read from it
 * ({@link Projection}) and, beside them, the (commit LSN, seq) of the last change that altered them and whether the
 * row is deleted. A deleted row stays, marked, so that facts are emitted as deleted with a version. The metadata is
 * never among the columns: a source column named {@code __deleted} or {@code _version} is a column like any other.
 * Immutable: a joined object shares its rows, never copies them.
 */
public record SourceRow(long lsn, long seq, boolean deleted, ObjectNode columns) {

    /** Whether the row exists: it is there and not deleted. */
    public static boolean exists(SourceRow row) {
        return row != null && !row.deleted;
    }

    /** The commit LSN of the last change applied, 0 for none. */
    public static long version(SourceRow row) {
        return row == null ? 0 : row.lsn;
    }

    /** A column's value, null when the row has no such column. */
    public JsonNode get(String column) {
        return columns.get(column);
    }

    /**
     * Applies one change to {@code current} (null for none), keeping the columns of {@code projection}. Returns
     * {@code current} itself when the change is a re-delivered duplicate or stale (at or before the last applied
     * (commit LSN, seq)), and when it leaves every kept column and the deleted state as they were: nothing a fact reads
     * changed, so nothing downstream needs to know. An unchanged TOASTed column keeps its value.
     */
    public static SourceRow apply(SourceRow current, ChangeEvent event, Projection projection) {
        long lsn = event.metadata().commitLsn().value();
        long seq = event.metadata().seq();
        if (current != null && order(lsn, seq, current) <= 0) {
            return current;
        }
        if (event.metadata().operation() == Operation.DELETE) {
            if (current != null && current.deleted) {
                return current;
            }
            return new SourceRow(lsn, seq, true, current != null ? current.columns : projection.of(event.payload()));
        }
        ObjectNode columns = projection.of(event.payload());
        for (String column : event.metadata().unchangedToast()) {
            JsonNode previous = current == null ? null : current.columns.get(column);
            if (previous != null && projection.keeps(column)) {
                columns.set(column, previous);
            }
        }
        if (current != null && !current.deleted && sameColumns(current.columns, columns)) {
            return current;
        }
        return new SourceRow(lsn, seq, false, columns);
    }

    /**
     * How the change at {@code (lsn, seq)} orders against the last one applied to {@code row}: negative before it, 0
     * the same, positive after (commit LSNs compared unsigned, then the position in the transaction).
     */
    public static int order(long lsn, long seq, SourceRow row) {
        int order = Long.compareUnsigned(lsn, row.lsn);
        return order != 0 ? order : Long.compare(seq, row.seq);
    }

    /** This row with only the columns of {@code projection}, and the same metadata. */
    public SourceRow project(Projection projection) {
        return new SourceRow(lsn, seq, deleted, projection.of(columns));
    }

    /** Whether {@code other} holds what this row does: the deleted state and the columns, whatever the metadata. */
    public boolean sameContent(SourceRow other) {
        return other != null && deleted == other.deleted && sameColumns(columns, other.columns);
    }

    /**
     * Whether {@code other} holds what this row does in the columns {@code projection} keeps: the deleted state and
     * those columns' values, whatever the other columns and the metadata.
     */
    public boolean sameContent(SourceRow other, Projection projection) {
        if (projection.columns() == null) {
            return sameContent(other);
        }
        if (other == null || deleted != other.deleted) {
            return false;
        }
        for (String column : projection.columns()) {
            JsonNode mine = columns.get(column);
            JsonNode theirs = other.columns.get(column);
            if (mine == null ? theirs != null : !mine.equals(theirs)) {
                return false;
            }
        }
        return true;
    }

    /** Equal columns in the same order (a JSON object's order is the column order, which a fact's {@code *} keeps). */
    private static boolean sameColumns(ObjectNode a, ObjectNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> x = a.fields();
        Iterator<Map.Entry<String, JsonNode>> y = b.fields();
        while (x.hasNext()) {
            Map.Entry<String, JsonNode> p = x.next();
            Map.Entry<String, JsonNode> q = y.next();
            if (!p.getKey().equals(q.getKey()) || !p.getValue().equals(q.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** For tests and logs: the columns and the metadata. */
    @Override
    public String toString() {
        return "SourceRow[lsn=" + lsn + ", seq=" + seq + ", deleted=" + deleted + ", " + Json.text(columns) + "]";
    }
}
