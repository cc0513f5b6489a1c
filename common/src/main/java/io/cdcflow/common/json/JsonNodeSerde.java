package io.cdcflow.common.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for JSON trees; a null record (tombstone) stays null. */
public final class JsonNodeSerde implements Serde<JsonNode> {
    @Override
    public Serializer<JsonNode> serializer() {
        return (topic, node) -> node == null ? null : Json.bytes(node);
    }

    @Override
    public Deserializer<JsonNode> deserializer() {
        return (topic, bytes) -> bytes == null ? null : Json.read(bytes);
    }
}
