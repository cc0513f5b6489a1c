package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A source record after parsing: the event value (with {@code _metadata}) or why it cannot be processed.
 *
 * @param table the source table named in {@code _metadata.table}, or null when unparseable
 * @param raw   the record value as received, kept for the dead-letter topic
 */
public record ParsedEvent(String table, ObjectNode value, String error, byte[] raw) {
    public boolean failed() {
        return error != null;
    }
}
