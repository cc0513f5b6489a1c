package io.cdcflow.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The change-event contract on the wire (docs/events.md): the value is
 * {@code {"_metadata":{...},"payload":{...},"before":{...}}}, the key is the primary-key object.
 */
public final class ChangeEventCodec {
    public static final String METADATA = "_metadata";
    public static final String PAYLOAD = "payload";
    public static final String BEFORE = "before";

    private ChangeEventCodec() {
    }

    public static ObjectNode toValue(ChangeEvent event) {
        EventMetadata m = event.metadata();
        ObjectNode value = Json.object();
        ObjectNode meta = value.putObject(METADATA);
        meta.put("table", m.table());
        meta.put("schema", m.schema());
        meta.put("operation", m.operation().wireName());
        meta.put("lsn", m.lsn().toString());
        meta.put("lsn_int", m.lsn().value());
        meta.put("commit_lsn", m.commitLsn().toString());
        meta.put("commit_lsn_int", m.commitLsn().value());
        meta.put("seq", m.seq());
        meta.put("xid", m.xid());
        if (m.commitTs() != null) {
            meta.put("commit_ts", m.commitTs().toString());
        } else {
            meta.putNull("commit_ts");
        }
        if (!m.unchangedToast().isEmpty()) {
            ArrayNode toast = meta.putArray("unchanged_toast");
            m.unchangedToast().forEach(toast::add);
        }
        if (m.origin() != null) {
            meta.put("origin", m.origin());
        }
        value.set(PAYLOAD, event.payload());
        if (event.before() != null) {
            value.set(BEFORE, event.before());
        }
        return value;
    }

    /** The same JSON as {@link #toValue}, written straight to bytes. */
    public static byte[] valueBytes(ChangeEvent event) {
        return new Writer().value(event);
    }

    private static void writeValue(JsonGenerator g, ChangeEvent event) throws IOException {
        EventMetadata m = event.metadata();
        g.writeStartObject();
        g.writeFieldName(F_METADATA);
        g.writeStartObject();
        g.writeFieldName(F_TABLE);
        g.writeString(m.table());
        g.writeFieldName(F_SCHEMA);
        g.writeString(m.schema());
        g.writeFieldName(F_OPERATION);
        g.writeString(m.operation().wireName());
        g.writeFieldName(F_LSN);
        g.writeString(m.lsn().toString());
        g.writeFieldName(F_LSN_INT);
        g.writeNumber(m.lsn().value());
        g.writeFieldName(F_COMMIT_LSN);
        g.writeString(m.commitLsn().toString());
        g.writeFieldName(F_COMMIT_LSN_INT);
        g.writeNumber(m.commitLsn().value());
        g.writeFieldName(F_SEQ);
        g.writeNumber(m.seq());
        g.writeFieldName(F_XID);
        g.writeNumber(m.xid());
        g.writeFieldName(F_COMMIT_TS);
        if (m.commitTs() != null) {
            g.writeString(m.commitTs().toString());
        } else {
            g.writeNull();
        }
        if (!m.unchangedToast().isEmpty()) {
            g.writeArrayFieldStart("unchanged_toast");
            for (String column : m.unchangedToast()) {
                g.writeString(column);
            }
            g.writeEndArray();
        }
        if (m.origin() != null) {
            g.writeStringField("origin", m.origin());
        }
        g.writeEndObject();
        g.writeFieldName(F_PAYLOAD);
        Json.write(g, event.payload());
        if (event.before() != null) {
            g.writeFieldName(BEFORE);
            Json.write(g, event.before());
        }
        g.writeEndObject();
    }

    private static final SerializedString F_METADATA = new SerializedString(METADATA);
    private static final SerializedString F_PAYLOAD = new SerializedString(PAYLOAD);
    private static final SerializedString F_TABLE = new SerializedString("table");
    private static final SerializedString F_SCHEMA = new SerializedString("schema");
    private static final SerializedString F_OPERATION = new SerializedString("operation");
    private static final SerializedString F_LSN = new SerializedString("lsn");
    private static final SerializedString F_LSN_INT = new SerializedString("lsn_int");
    private static final SerializedString F_COMMIT_LSN = new SerializedString("commit_lsn");
    private static final SerializedString F_COMMIT_LSN_INT = new SerializedString("commit_lsn_int");
    private static final SerializedString F_SEQ = new SerializedString("seq");
    private static final SerializedString F_XID = new SerializedString("xid");
    private static final SerializedString F_COMMIT_TS = new SerializedString("commit_ts");

    public static byte[] keyBytes(ChangeEvent event) {
        return new Writer().key(event);
    }

    /**
     * Writes records for one thread, reusing its generator and buffer from event to event: the producer's hot path.
     * Not thread-safe.
     */
    public static final class Writer {
        private final Json.Writer json = new Json.Writer();

        public byte[] value(ChangeEvent event) {
            return json.write(g -> writeValue(g, event));
        }

        public byte[] key(ChangeEvent event) {
            return json.bytes(event.key());
        }
    }

    /** Reads a record back; the key may be null for records from producers that do not key by primary key. */
    public static ChangeEvent fromRecord(byte[] key, byte[] value) {
        JsonNode keyNode = key == null ? Json.object() : Json.read(key);
        if (!keyNode.isObject()) {
            throw new InvalidEventException("record key is not a JSON object of primary-key columns");
        }
        if (value == null) {
            throw new InvalidEventException("change event is not a JSON object");
        }
        return EventReader.read((ObjectNode) keyNode, value);
    }

    /**
     * An ISO-8601 instant as {@link Instant#toString} writes it ({@code 2026-11-24T10:00:00.123456Z}: UTC, 0 to 9
     * fraction digits) read without java.time's general parser, which cost a few percent of the streams-app's thread
     * per event; anything else goes to {@link Instant#parse}, which accepts or rejects it as before.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || n == 21 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z' || (n > 20 && text.charAt(19) != '.')) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = n > 20 ? digits(text, 20, n - 1) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0 || hour > 23 || minute > 59 || second > 59
                || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return Instant.parse(text);
        }
        for (int i = n - 1 - 20; n > 20 && i < 9; i++) {
            fraction *= 10;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, fraction);
    }

    /** The number the ASCII digits in {@code [from, to)} write, or -1 when one is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** A record that is JSON but does not follow the contract. */
    public static final class InvalidEventException extends RuntimeException {
        public InvalidEventException(String message) {
            super(message);
        }
    }
}
