package io.cdcflow.streams.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;

/**
 * The current state of one source row, as kept in a source KTable: the row's columns plus three reserved fields,
 * the (commit LSN, seq) of the last change applied and whether the row is deleted. Deleted rows stay, marked, so
 * that facts can be emitted as deleted with a version instead of disappearing.
 */
public final class RowState {
    public static final String COMMIT_LSN = "__commit_lsn";
    public static final String SEQ = "__seq";
    public static final String DELETED = "__deleted";

    private RowState() {
    }

    /** The state before any event: no row. */
    public static ObjectNode none() {
        return Json.object();
    }

    public static boolean exists(JsonNode row) {
        return row != null && row.has(COMMIT_LSN) && !row.path(DELETED).asBoolean(false);
    }

    public static boolean isDeleted(JsonNode row) {
        return row != null && row.path(DELETED).asBoolean(false);
    }

    /** The commit LSN of the last change applied, 0 for none. */
    public static long version(JsonNode row) {
        return row == null ? 0 : row.path(COMMIT_LSN).asLong(0);
    }

    /**
     * Applies one change. A change at or before the last applied (commit LSN, seq) is a re-delivered duplicate or
     * stale, and leaves the state as it was (the same instance). An unchanged TOASTed column keeps its value.
     */
    public static ObjectNode apply(ObjectNode current, ChangeEvent event) {
        long lsn = event.metadata().commitLsn().value();
        long seq = event.metadata().seq();
        if (current.has(COMMIT_LSN)) {
            int order = Long.compareUnsigned(lsn, current.get(COMMIT_LSN).asLong());
            if (order < 0 || (order == 0 && seq <= current.path(SEQ).asLong())) {
                return current;
            }
        }
        ObjectNode next;
        if (event.metadata().operation() == Operation.DELETE) {
            next = current.has(COMMIT_LSN) ? current.deepCopy() : event.payload().deepCopy();
            next.put(DELETED, true);
        } else {
            next = event.payload().deepCopy();
            for (String column : event.metadata().unchangedToast()) {
                JsonNode previous = current.get(column);
                if (previous != null) {
                    next.set(column, previous);
                }
            }
            next.put(DELETED, false);
        }
        next.put(COMMIT_LSN, lsn);
        next.put(SEQ, seq);
        return next;
    }

    /** The row's own columns, without the reserved fields. */
    public static ObjectNode columns(JsonNode row) {
        ObjectNode copy = ((ObjectNode) row).deepCopy();
        copy.remove(COMMIT_LSN);
        copy.remove(SEQ);
        copy.remove(DELETED);
        return copy;
    }
}
