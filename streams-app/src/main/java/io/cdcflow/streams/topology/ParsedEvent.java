package io.cdcflow.streams.topology;

import io.cdcflow.common.event.ChangeEvent;

/**
 * A source record after parsing: the change event or why it cannot be processed.
 *
 * @param table the source table named in {@code _metadata.table}, or null when unparseable
 * @param value the event as parsed once here (metadata decoded, payload as received), null when failed
 * @param raw   the record value as received, kept for the dead-letter topic
 */
public record ParsedEvent(String table, ChangeEvent value, String error, byte[] raw) {
    public boolean failed() {
        return error != null;
    }
}
