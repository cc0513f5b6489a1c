package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The format of the streams-app's own state, in its stores, changelogs and foreign-key join topics: the same JSON
 * trees as everywhere else, written as Jackson Smile (binary JSON: no text to parse or escape, numbers as binary,
 * decimals exact). Inputs and outputs stay JSON text. Smile data starts with {@code :)}: state written as JSON text by
 * an earlier version is refused with the way out, never misread ({@link #isSmile}).
 */
public final class InternalSerde implements Serde<JsonNode> {
    /** As {@code Json.MAPPER}: exact decimals (12.50 stays 12.50), no float rounding. */
    private static final ObjectMapper SMILE = new ObjectMapper(SmileFactory.builder()
            .disable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES) // values rarely repeat within a row
            .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    /** Whether {@code bytes} are this format's (the Smile header), rather than an earlier version's JSON text. */
    public static boolean isSmile(byte[] bytes) {
        return bytes != null && bytes.length >= 2 && bytes[0] == ':' && bytes[1] == ')';
    }

    @Override
    public Serializer<JsonNode> serializer() {
        return (topic, node) -> {
            if (node == null) {
                return null;
            }
            try {
                return SMILE.writeValueAsBytes(node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public Deserializer<JsonNode> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (!isSmile(bytes)) {
                throw new IllegalStateException("state in " + topic + " was written by an earlier streams-app version (JSON text): "
                        + "reset the application (README, Operations: 'Changing the facts file')");
            }
            try {
                return SMILE.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
