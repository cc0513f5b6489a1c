package io.cdcflow.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.io.GrowableBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/** The one Jackson configuration of the project: exact decimals, no float rounding anywhere. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static JsonNode read(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedJsonException(e.getOriginalMessage(), e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a tree through a generator without the serializer machinery {@code writeTree} sets up per call: the
     * same output for the node types change events hold, and {@code writeTree} for anything else.
     */
    public static void write(JsonGenerator out, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    out.writeFieldName(field.getKey());
                    write(out, field.getValue());
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode element : node) {
                    write(out, element);
                }
                out.writeEndArray();
            }
            case STRING -> out.writeString(node.textValue());
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL -> out.writeNull();
            case NUMBER -> {
                if (node.isLong() || node.isInt() || node.isShort()) {
                    out.writeNumber(node.longValue());
                } else if (node.isBigDecimal()) {
                    out.writeNumber(node.decimalValue());
                } else {
                    out.writeTree(node);
                }
            }
            default -> out.writeTree(node);
        }
    }

    /**
     * The text {@code ObjectNode.toString} gives for an object of these fields, in this order: {@code {"id":42}}, as
     * the wal-producer keys its records. Integers and strings JSON leaves unescaped are written directly (keys are
     * computed for every change, and a generator per key cost more than the rest of the key's work); anything else
     * goes through Jackson.
     */
    public static String objectText(String[] names, JsonNode[] values) {
        StringBuilder text = new StringBuilder(16 + 16 * names.length).append('{');
        for (int i = 0; i < names.length; i++) {
            JsonNode value = values[i];
            if (!plain(names[i]) || value == null) {
                return slowObjectText(names, values);
            }
            text.append(i == 0 ? "\"" : ",\"").append(names[i]).append("\":");
            if (value.isInt() || value.isLong() || value.isShort()) {
                text.append(value.longValue());
            } else if (value.isTextual() && plain(value.textValue())) {
                text.append('"').append(value.textValue()).append('"');
            } else {
                return slowObjectText(names, values);
            }
        }
        return text.append('}').toString();
    }

    private static String slowObjectText(String[] names, JsonNode[] values) {
        ObjectNode object = object();
        for (int i = 0; i < names.length; i++) {
            object.set(names[i], values[i]);
        }
        return object.toString();
    }

    /** Whether JSON writes this string as it is: no control character, quote or backslash. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes JSON for one thread, reusing its generator and buffer from call to call ({@link #write(JsonGenerator,
     * JsonNode)}'s output): for hot paths, where {@link #bytes} would set up a generator and a serializer per call.
     * Not thread-safe.
     */
    public static final class Writer {
        private final GrowableBytes buffer = new GrowableBytes(1024);
        private JsonGenerator generator;

        /** What a body writes through the generator. */
        public interface Body {
            void write(JsonGenerator g) throws IOException;
        }

        public byte[] bytes(JsonNode node) {
            return write(g -> Json.write(g, node));
        }

        public byte[] write(Body body) {
            buffer.reset();
            try {
                if (generator == null) {
                    generator = MAPPER.getFactory().createGenerator(buffer);
                    generator.setRootValueSeparator(null);
                }
                body.write(generator);
                generator.flush();
            } catch (IOException | RuntimeException e) {
                generator = null; // mid-document: the next call starts on a fresh generator
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            return buffer.toByteArray();
        }
    }

    /** Input that is not JSON: the caller decides whether it goes to a dead-letter topic. */
    public static final class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String message, Throwable cause) {
            super("malformed JSON: " + message, cause);
        }
    }
}
