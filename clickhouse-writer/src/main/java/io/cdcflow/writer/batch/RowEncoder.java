package io.cdcflow.writer.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ColumnType;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One output record as a JSONEachRow line for its table, or a clear error naming the column that does not fit.
 *
 * <p>The record is copied token by token from the Kafka value into the line, checking each value against its
 * column on the way: no tree is built for the common values (numbers, strings, timestamps, nulls). Anything else
 * is read as a tree and goes through {@link ColumnType#encode}, which is the one definition of what fits.
 */
public final class RowEncoder {
    private final ServerInfo server;
    private final Line line = new Line();
    private JsonGenerator out;
    private boolean[] seen = new boolean[0];

    public RowEncoder(ServerInfo server) {
        this.server = server;
        this.out = newGenerator();
    }

    /**
     * Encodes {@code value} for {@code schema}'s table and appends it to {@code batch}.
     *
     * @return false, with nothing appended, when the value has a field the table lacks: extend the schema and retry
     * @throws BadRowException when the value is not a JSON object or a value does not fit its column
     */
    public boolean encode(TableSchema schema, byte[] value, TableBatch batch) {
        line.reset();
        boolean complete = false;
        try (JsonParser in = Json.MAPPER.getFactory().createParser(value)) {
            complete = copy(schema, in);
        } catch (JsonProcessingException e) {
            throw new BadRowException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!complete) {
                // The generator is somewhere inside the abandoned row: start the next one from a clean state.
                out = newGenerator();
            }
        }
        if (complete) {
            batch.add(line.bytes, line.length);
        }
        return complete;
    }

    private boolean copy(TableSchema schema, JsonParser in) throws IOException {
        if (in.nextToken() != JsonToken.START_OBJECT) {
            throw new BadRowException("record value must be a JSON object");
        }
        if (seen.length < schema.size()) {
            seen = new boolean[schema.size() + 8];
        }
        Arrays.fill(seen, false);
        long version = 0;
        boolean hasVersion = false;
        int deleted = 0;
        out.writeStartObject();
        String field;
        while ((field = in.nextFieldName()) != null) {
            JsonToken token = in.nextToken();
            int position = schema.position(field);
            if (position < 0) {
                if (field.equals("_version")) {
                    JsonNode v = token == JsonToken.VALUE_NUMBER_INT ? null : tree(in);
                    if (v == null ? !fitsLong(in) : !v.canConvertToLong()) {
                        throw new BadRowException("record has no numeric _version");
                    }
                    version = v == null ? in.getLongValue() : v.asLong();
                    hasVersion = true;
                } else if (field.equals("_deleted")) {
                    deleted = (token == JsonToken.VALUE_NUMBER_INT ? in.getIntValue() : tree(in).asInt(0)) == 0 ? 0 : 1;
                } else if (TableSchema.RESERVED.contains(field) || (token == JsonToken.VALUE_NULL && !TableSchema.hinted(field))) {
                    in.skipChildren();
                } else {
                    return false;
                }
                continue;
            }
            if (seen[position]) {
                throw new BadRowException("field " + field + " appears twice");
            }
            seen[position] = true;
            out.writeFieldName(field);
            value(schema, position, field, token, in);
        }
        if (!hasVersion) {
            throw new BadRowException("record has no numeric _version");
        }
        for (String key : schema.keyColumns()) {
            if (!seen[schema.position(key)]) {
                throw new BadRowException("key column " + schema.table() + "." + key + " is missing");
            }
        }
        out.writeNumberField("_version", version);
        out.writeNumberField("_deleted", deleted);
        out.writeEndObject();
        out.flush();
        line.write('\n');
        return true;
    }

    private void value(TableSchema schema, int position, String field, JsonToken token, JsonParser in) throws IOException {
        ColumnType type = schema.typeAt(position);
        if (token == JsonToken.VALUE_NULL) {
            if (schema.isKeyAt(position)) {
                throw new BadRowException("key column " + schema.table() + "." + field + " is null");
            }
            out.writeNull();
            return;
        }
        // The common cases, copied without a tree.
        if (type == ColumnType.INT64 && token == JsonToken.VALUE_NUMBER_INT && fitsLong(in)) {
            out.writeNumber(in.getLongValue());
        } else if ((type == ColumnType.DECIMAL || type == ColumnType.FLOAT64)
                && (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT)) {
            // Decimals go as JSON numbers, exactly as written: old servers reject a quoted decimal.
            out.writeNumber(in.getText());
        } else if (type == ColumnType.STRING && token == JsonToken.VALUE_STRING) {
            out.writeString(in.getTextCharacters(), in.getTextOffset(), in.getTextLength());
        } else if (type == ColumnType.DATETIME && token == JsonToken.VALUE_STRING) {
            out.writeString(fit(schema, field, type, () -> ColumnType.dateTime(in.getText(), server), in));
        } else {
            JsonNode node = tree(in);
            out.writeTree(fit(schema, field, type, () -> type.encode(node, server), in));
        }
    }

    private interface Conversion<T> {
        T apply() throws IOException;
    }

    private <T> T fit(TableSchema schema, String field, ColumnType type, Conversion<T> conversion, JsonParser in) throws IOException {
        try {
            return conversion.apply();
        } catch (IllegalArgumentException e) {
            throw new BadRowException("column " + schema.table() + "." + field + " (" + type.ddl(server) + "): " + e.getMessage());
        }
    }

    private static boolean fitsLong(JsonParser in) throws IOException {
        JsonParser.NumberType kind = in.getNumberType();
        return kind == JsonParser.NumberType.INT || kind == JsonParser.NumberType.LONG;
    }

    private static JsonNode tree(JsonParser in) throws IOException {
        return Json.MAPPER.readTree(in);
    }

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator generator = Json.MAPPER.getFactory().createGenerator(line);
            generator.setRootValueSeparator(null);
            return generator;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The line being built; reused from row to row. */
    private static final class Line extends java.io.OutputStream {
        private byte[] bytes = new byte[1024];
        private int length;

        void reset() {
            length = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[length++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, length, len);
            length += len;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }

    /** A record that cannot be written to its table; it goes to the dead-letter topic. */
    public static final class BadRowException extends RuntimeException {
        public BadRowException(String message) {
            super(message);
        }
    }
}
