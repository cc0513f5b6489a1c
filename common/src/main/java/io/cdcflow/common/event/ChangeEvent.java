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
 * @param schemaId the id of the table's schema in the schema topic, sent as the record's {@code cdc.schema_id}
 *                 header; null when unknown. Not part of the value.
 */
public record ChangeEvent(ObjectNode key, EventMetadata metadata, ObjectNode payload, ObjectNode before, String schemaId) {
    public ChangeEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(payload, "payload");
    }

    public ChangeEvent(ObjectNode key, EventMetadata metadata, ObjectNode payload, ObjectNode before) {
        this(key, metadata, payload, before, null);
    }

    /**
     * An event for one row keyed by its {@code id} column, as the wal-producer would publish it: for tools, tests and
     * benchmarks that feed the streams-app without a PostgreSQL behind it.
     */
    public static ChangeEvent ofRow(String table, Operation operation, ObjectNode row, long commitLsn, long seq) {
        return ofRow(table, operation, row, commitLsn, seq, java.util.List.of());
    }

    public static ChangeEvent ofRow(String table, Operation operation, ObjectNode row, long commitLsn, long seq,
                                    java.util.List<String> unchangedToast) {
        ObjectNode key = io.cdcflow.common.json.Json.object().set("id", row.get("id"));
        EventMetadata meta = new EventMetadata(table, "public", operation, new Lsn(commitLsn), new Lsn(commitLsn), seq, 0,
                java.time.Instant.now(), unchangedToast, null);
        return new ChangeEvent(key, meta, row, null);
    }
}
