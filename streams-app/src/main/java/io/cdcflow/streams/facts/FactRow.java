package io.cdcflow.streams.facts;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fact's row as computed from its joined rows: its columns (only the key when deleted), and beside them the newest
 * commit LSN among the joined rows and whether the row is absent from the view.
 */
public record FactRow(ObjectNode columns, long lsn, boolean deleted) {
}
