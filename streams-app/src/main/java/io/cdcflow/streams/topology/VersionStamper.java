package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.model.RowState;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Gives every output record its {@code _version} and {@code _deleted}, and the {@code cdc.schema_id} header of its
 * output's schema. The version is the newest commit LSN among
 * the joined inputs, raised when needed to one more than the last version emitted for the key: versions strictly
 * increase per key in emission order, so the last record Kafka Streams emits for a key, the only one it promises
 * correct, is the one a ReplacingMergeTree keeps. (Why this is needed and why it suffices: topology-docs.)
 */
final class VersionStamper implements FixedKeyProcessor<String, JsonNode, JsonNode> {
    private final String storeName;
    private final String output;
    private final OutputSchemas schemas;
    private FixedKeyProcessorContext<String, JsonNode> context;
    private KeyValueStore<String, Long> versions;

    VersionStamper(String storeName, String output, OutputSchemas schemas) {
        this.storeName = storeName;
        this.output = output;
        this.schemas = schemas;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, JsonNode> context) {
        this.context = context;
        this.versions = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, JsonNode> record) {
        JsonNode joined = record.value();
        if (joined == null || !joined.has(RowState.COMMIT_LSN)) {
            return;
        }
        long candidate = joined.get(RowState.COMMIT_LSN).asLong();
        Long last = versions.get(record.key());
        long version = last != null && Long.compareUnsigned(candidate, last) <= 0 ? last + 1 : candidate;
        versions.put(record.key(), version);
        ObjectNode out = ((ObjectNode) joined).deepCopy();
        boolean deleted = out.path(RowState.DELETED).asBoolean(false);
        out.remove(RowState.COMMIT_LSN);
        out.remove(RowState.DELETED);
        out.put("_version", version);
        out.put("_deleted", deleted ? 1 : 0);
        // The inputs' headers mean nothing here: the record names its own output's schema.
        RecordHeaders headers = new RecordHeaders();
        String schemaId = schemas.idFor(output);
        if (schemaId != null) {
            headers.add(RowSchema.HEADER, schemaId.getBytes(StandardCharsets.US_ASCII));
        }
        context.forward(record.withValue(out).withHeaders(headers));
    }
}
