package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary form of the streams-app's own state, in its stores, changelogs and join topics: a source row's metadata
 * as fixed fields, its columns as (name, tagged value) with numbers in binary and decimals exact, and joined rows
 * as their rows in position order. Deterministic (a foreign-key join compares hashes of serialized rows). Every value
 * starts with a format byte: state an earlier version wrote (JSON text, then Smile) is refused with the way out,
 * never misread ({@link #isCurrent}). Inputs and outputs stay JSON text.
 */
public final class StateCodec {
    static final byte SOURCE_ROW = (byte) 0xC5;
    static final byte JOINED_ROWS = (byte) 0xC6;
    static final byte RESPONSE = (byte) 0xC7;

    private static final byte NULL = 0, FALSE = 1, TRUE = 2, LONG = 3, BIG_INTEGER = 4, DECIMAL = 5, DOUBLE = 6, TEXT = 7,
            ARRAY = 8, OBJECT = 9, FLOAT = 10;
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private StateCodec() {
    }

    /** Whether {@code bytes} are in this version's format, rather than an earlier version's. */
    public static boolean isCurrent(byte[] bytes) {
        return bytes != null && bytes.length > 0 && (bytes[0] == SOURCE_ROW || bytes[0] == JOINED_ROWS);
    }

    public static Serde<SourceRow> sourceRows() {
        return new Serde<>() {
            @Override
            public Serializer<SourceRow> serializer() {
                return (topic, row) -> {
                    if (row == null) {
                        return null;
                    }
                    Out out = new Out(64 + 16 * row.columns().size());
                    out.write(SOURCE_ROW);
                    writeRow(out, row);
                    return out.bytes();
                };
            }

            @Override
            public Deserializer<SourceRow> deserializer() {
                return (topic, bytes) -> bytes == null ? null : readRow(new In(check(topic, bytes, SOURCE_ROW)));
            }
        };
    }

    public static Serde<JoinedRows> joinedRows() {
        return new Serde<>() {
            @Override
            public Serializer<JoinedRows> serializer() {
                return (topic, joined) -> {
                    if (joined == null) {
                        return null;
                    }
                    Out out = new Out(256);
                    out.write(JOINED_ROWS);
                    out.varint(joined.size());
                    for (int i = 0; i < joined.size(); i++) {
                        SourceRow row = joined.row(i);
                        out.write(row == null ? 0 : 1);
                        if (row != null) {
                            writeRow(out, row);
                        }
                    }
                    return out.bytes();
                };
            }

            @Override
            public Deserializer<JoinedRows> deserializer() {
                return (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    In in = new In(check(topic, bytes, JOINED_ROWS));
                    SourceRow[] rows = new SourceRow[in.varint()];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = in.read() == 0 ? null : readRow(in);
                    }
                    return JoinedRows.of(rows);
                };
            }
        };
    }

    /** A parent row sent back to a fact row that subscribed to it ({@link ForeignKeyChild}). */
    public static Serde<ForeignKeyResponse> responses() {
        return new Serde<>() {
            @Override
            public Serializer<ForeignKeyResponse> serializer() {
                return (topic, response) -> {
                    if (response == null) {
                        return null;
                    }
                    SourceRow row = response.parent();
                    Out out = new Out(64 + (row == null ? 0 : 16 * row.columns().size()));
                    out.write(RESPONSE);
                    out.text(response.foreignKey());
                    out.write(row == null ? 0 : 1);
                    if (row != null) {
                        writeRow(out, row);
                    }
                    return out.bytes();
                };
            }

            @Override
            public Deserializer<ForeignKeyResponse> deserializer() {
                return (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    In in = new In(check(topic, bytes, RESPONSE));
                    String foreignKey = in.text();
                    return new ForeignKeyResponse(foreignKey, in.read() == 0 ? null : readRow(in));
                };
            }
        };
    }

    private static byte[] check(String topic, byte[] bytes, byte format) {
        if (bytes.length == 0 || bytes[0] != format) {
            throw new IllegalStateException("state in " + topic + " was written by an earlier streams-app version, in a format "
                    + "this one does not read: reset the application (README, Operations: 'Changing the facts file')");
        }
        return bytes;
    }

    private static void writeRow(Out out, SourceRow row) {
        out.write(row.deleted() ? 1 : 0);
        out.fixed64(row.lsn());
        out.varlong(row.seq());
        writeObject(out, row.columns());
    }

    private static SourceRow readRow(In in) {
        boolean deleted = in.read() != 0;
        long lsn = in.fixed64();
        long seq = in.varlong();
        return new SourceRow(lsn, seq, deleted, readObject(in));
    }

    private static void writeObject(Out out, ObjectNode object) {
        out.varint(object.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            out.text(field.getKey());
            writeValue(out, field.getValue());
        }
    }

    private static ObjectNode readObject(In in) {
        int size = in.varint();
        ObjectNode object = NODES.objectNode();
        for (int i = 0; i < size; i++) {
            String name = in.text();
            object.set(name, readValue(in));
        }
        return object;
    }

    private static void writeValue(Out out, JsonNode value) {
        JsonNodeType type = value.getNodeType();
        switch (type) {
            case NULL, MISSING -> out.write(NULL);
            case BOOLEAN -> out.write(value.booleanValue() ? TRUE : FALSE);
            case STRING -> {
                out.write(TEXT);
                out.text(value.textValue());
            }
            case NUMBER -> {
                if (value.isInt() || value.isLong() || value.isShort()) {
                    out.write(LONG);
                    out.varlong(value.longValue());
                } else if (value.isBigInteger()) {
                    out.write(BIG_INTEGER);
                    out.blob(value.bigIntegerValue().toByteArray());
                } else if (value.isBigDecimal()) {
                    BigDecimal d = value.decimalValue();
                    out.write(DECIMAL);
                    out.varlong(d.scale());
                    out.blob(d.unscaledValue().toByteArray());
                } else if (value.isFloat()) {
                    out.write(FLOAT);
                    out.fixed64(Float.floatToRawIntBits(value.floatValue()));
                } else {
                    out.write(DOUBLE);
                    out.fixed64(Double.doubleToRawLongBits(value.doubleValue()));
                }
            }
            case ARRAY -> {
                out.write(ARRAY);
                out.varint(value.size());
                for (JsonNode element : value) {
                    writeValue(out, element);
                }
            }
            case OBJECT -> {
                out.write(OBJECT);
                writeObject(out, (ObjectNode) value);
            }
            default -> { // binary or POJO nodes never come from parsed JSON; kept as their JSON text
                out.write(TEXT);
                out.text(value.asText());
            }
        }
    }

    private static JsonNode readValue(In in) {
        byte tag = in.read();
        return switch (tag) {
            case NULL -> NODES.nullNode();
            case FALSE -> NODES.booleanNode(false);
            case TRUE -> NODES.booleanNode(true);
            case LONG -> {
                long v = in.varlong();
                // as Jackson's parser makes them: equal values compare equal with freshly parsed ones
                yield v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
            }
            case BIG_INTEGER -> NODES.numberNode(new BigInteger(in.blob()));
            case DECIMAL -> {
                int scale = (int) in.varlong();
                yield NODES.numberNode(new BigDecimal(new BigInteger(in.blob()), scale));
            }
            case FLOAT -> NODES.numberNode(Float.intBitsToFloat((int) in.fixed64()));
            case DOUBLE -> NODES.numberNode(Double.longBitsToDouble(in.fixed64()));
            case TEXT -> NODES.textNode(in.text());
            case ARRAY -> {
                int size = in.varint();
                ArrayNode array = NODES.arrayNode(size);
                for (int i = 0; i < size; i++) {
                    array.add(readValue(in));
                }
                yield array;
            }
            case OBJECT -> readObject(in);
            default -> throw new IllegalStateException("corrupt state: unknown value tag " + tag);
        };
    }

    /** A growing byte buffer with the few encodings above. */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void room(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        void write(int b) {
            room(1);
            buf[len++] = (byte) b;
        }

        void fixed64(long v) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        void varint(int v) {
            varlong(v & 0xFFFFFFFFL);
        }

        /** Zig-zag, then 7 bits a byte. */
        void varlong(long v) {
            long z = (v << 1) ^ (v >> 63);
            room(10);
            while ((z & ~0x7FL) != 0) {
                buf[len++] = (byte) ((z & 0x7F) | 0x80);
                z >>>= 7;
            }
            buf[len++] = (byte) z;
        }

        void blob(byte[] bytes) {
            varint(bytes.length);
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, len, bytes.length);
            len += bytes.length;
        }

        void text(String s) {
            blob(s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos = 1; // past the format byte

        In(byte[] buf) {
            this.buf = buf;
        }

        byte read() {
            return buf[pos++];
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        int varint() {
            return (int) varlong();
        }

        long varlong() {
            long z = 0;
            int shift = 0;
            byte b;
            do {
                b = buf[pos++];
                z |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            return (z >>> 1) ^ -(z & 1);
        }

        byte[] blob() {
            int n = varint();
            byte[] bytes = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return bytes;
        }

        String text() {
            int n = varint();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
