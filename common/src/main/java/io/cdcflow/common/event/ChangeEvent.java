package io.cdcflow.common.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One row change, as published to Kafka.
 *
 * @param key     the row's primary-key columns, in key order ({@code {"id":42}}); the Kafka record key
 * @param payload the row after the change; for a delete, the old key (or the whole old row under REPLICA
 *                IDENTITY FULL); empty for a truncate
 * @param before  the old row or key when PostgreSQL sent it (updates under REPLICA IDENTITY FULL or with a changed
 *                key, deletes), otherwise null
 */
public record ChangeEvent(ObjectNode key, EventMetadata metadata, ObjectNode payload, ObjectNode before) {
    public ChangeEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(payload, "payload");
    }

    public boolean isDelete() {
        return metadata.operation() == Operation.DELETE;
    }
}
