package io.cdcflow.common.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a change event's value in one pass: {@code _metadata}'s fields straight into {@link EventMetadata}, the
 * payload and before image as trees. The metadata's tree (a map and a node per field) is never built: the consumers'
 * hot path reads millions of these. A field reads as Jackson's {@code asText}/{@code asLong} would read it from a tree
 * (a number where text is expected is its digits; an object or array, nothing); a repeated field's last value wins.
 */
final class EventReader {
    private final JsonParser in;
    private String table;
    private String schema;
    private String operation;
    private String lsn;
    private String commitLsn;
    private Long lsnInt;
    private Long commitLsnInt;
    private long seq;
    private long xid;
    private String commitTs;
    private List<String> toast = List.of();
    private String origin;

    private EventReader(JsonParser in) {
        this.in = in;
    }

    static ChangeEvent read(ObjectNode key, byte[] value) {
        try (JsonParser in = Json.MAPPER.createParser(value)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new ChangeEventCodec.InvalidEventException("change event is not a JSON object");
            }
            return new EventReader(in).event(key);
        } catch (JsonProcessingException e) {
            throw new Json.MalformedJsonException(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ChangeEvent event(ObjectNode key) throws IOException {
        boolean metadata = false;
        JsonNode payload = null;
        JsonNode before = null;
        for (String field = in.nextFieldName(); field != null; field = in.nextFieldName()) {
            JsonToken token = in.nextToken();
            switch (field) {
                case ChangeEventCodec.METADATA -> {
                    if (token != JsonToken.START_OBJECT) {
                        in.skipChildren();
                        metadata = false;
                    } else {
                        readMetadata();
                        metadata = true;
                    }
                }
                case ChangeEventCodec.PAYLOAD -> payload = Json.MAPPER.readTree(in);
                case ChangeEventCodec.BEFORE -> before = Json.MAPPER.readTree(in);
                default -> in.skipChildren();
            }
        }
        if (!metadata) {
            throw new ChangeEventCodec.InvalidEventException("change event has no _metadata object");
        }
        return new ChangeEvent(key, metadata(), payload instanceof ObjectNode p ? p : Json.object(),
                before instanceof ObjectNode b ? b : null);
    }

    private void readMetadata() throws IOException {
        table = schema = operation = lsn = commitLsn = commitTs = origin = null;
        lsnInt = commitLsnInt = null;
        seq = xid = 0;
        toast = List.of();
        for (String field = in.nextFieldName(); field != null; field = in.nextFieldName()) {
            JsonToken token = in.nextToken();
            switch (field) {
                case "table" -> table = text(token);
                case "schema" -> schema = text(token);
                case "operation" -> operation = text(token);
                case "lsn" -> lsn = text(token);
                case "lsn_int" -> lsnInt = exactLong(token);
                case "commit_lsn" -> commitLsn = text(token);
                case "commit_lsn_int" -> commitLsnInt = exactLong(token);
                case "seq" -> seq = asLong(token);
                case "xid" -> xid = asLong(token);
                case "commit_ts" -> commitTs = text(token);
                case "unchanged_toast" -> toast = texts(token);
                case "origin" -> origin = text(token);
                default -> in.skipChildren();
            }
        }
    }

    private EventMetadata metadata() {
        try {
            Lsn at = lsnInt != null ? new Lsn(lsnInt) : Lsn.parse(required("lsn", lsn));
            Lsn committed = commitLsn == null ? at : commitLsnInt != null ? new Lsn(commitLsnInt) : Lsn.parse(required("commit_lsn", commitLsn));
            return new EventMetadata(required("table", table), schema == null ? "public" : schema,
                    Operation.fromWire(required("operation", operation)), at, committed, seq, xid,
                    commitTs == null ? null : ChangeEventCodec.instant(commitTs), toast, origin);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ChangeEventCodec.InvalidEventException(e.getMessage());
        }
    }

    private static String required(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ChangeEventCodec.InvalidEventException("_metadata." + field + " is missing");
        }
        return value;
    }

    /** A scalar's text, "" for an object or an array (skipped), null for null. */
    private String text(JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NULL -> null;
            case START_OBJECT, START_ARRAY -> {
                in.skipChildren();
                yield "";
            }
            case VALUE_NUMBER_FLOAT -> in.getDecimalValue().toString();
            default -> in.getText();
        };
    }

    /** An integer that fits in 64 bits (an LSN's number), else null: the text form is read instead. */
    private Long exactLong(JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT && in.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return in.getLongValue();
        }
        if (token == JsonToken.VALUE_NUMBER_INT && in.getBigIntegerValue().bitLength() < 64) {
            return in.getBigIntegerValue().longValue();
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            java.math.BigDecimal d = in.getDecimalValue();
            BigInteger whole = d.toBigInteger();
            return whole.bitLength() < 64 ? whole.longValue() : null;
        }
        in.skipChildren();
        return null;
    }

    /** A number as a long (truncated), text as the number it writes, true as 1: 0 otherwise. */
    private long asLong(JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NUMBER_INT -> in.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? in.getBigIntegerValue().longValue() : in.getLongValue();
            case VALUE_NUMBER_FLOAT -> in.getDecimalValue().longValue();
            case VALUE_STRING -> NumberInput.parseAsLong(in.getText(), 0);
            case VALUE_TRUE -> 1;
            case START_OBJECT, START_ARRAY -> {
                in.skipChildren();
                yield 0;
            }
            default -> 0;
        };
    }

    /** An array's (or object's) elements as text; nothing for a scalar. */
    private List<String> texts(JsonToken token) throws IOException {
        if (token != JsonToken.START_ARRAY && token != JsonToken.START_OBJECT) {
            return List.of();
        }
        JsonToken end = token == JsonToken.START_ARRAY ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
        List<String> out = new ArrayList<>();
        for (JsonToken t = in.nextToken(); t != end; t = in.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
                continue;
            }
            String text = text(t);
            out.add(text == null ? "null" : text);
        }
        return out;
    }
}
