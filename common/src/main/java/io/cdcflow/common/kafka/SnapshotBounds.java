package io.cdcflow.common.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one table's snapshot rows lie in each partition of its topic: the topic's end offsets when the snapshot of the
 * table started ({@code from}) and, once Kafka acknowledged its last row, when it ended ({@code to}; null while it
 * runs). The wal-producer writes one record per slot and table to its state topic (compacted, keyed so: the newest
 * snapshot of a table wins); the streams-app reads them to know whether a row it has not seen yet may still come from
 * the snapshot, and holds back facts that would only be sent again once it comes.
 *
 * <p>Readers that find no record treat every partition as outside any snapshot: nothing waits on a signal that an
 * earlier wal-producer never sends.
 *
 * @param id names this snapshot of the table: a second snapshot of it (a new slot, a table re-added) has another
 */
public record SnapshotBounds(String slot, String schema, String table, String topic, String id,
                             Map<Integer, Long> from, Map<Integer, Long> to) {
    /** Keys of these records in the state topic start so; the slot's completed-snapshot record is keyed by the slot. */
    public static final String KEY_PREFIX = "snapshot-bounds/";

    public SnapshotBounds {
        from = Map.copyOf(from);
        to = to == null ? null : Map.copyOf(to);
    }

    /** The same snapshot, ended at these end offsets. */
    public SnapshotBounds ended(Map<Integer, Long> at) {
        return new SnapshotBounds(slot, schema, table, topic, id, from, at);
    }

    public boolean ended() {
        return to != null;
    }

    /**
     * Whether every snapshot row of {@code partition} lies before {@code position} (a reader's next offset; 0 when it
     * has read nothing): false while the snapshot runs.
     */
    public boolean passed(int partition, long position) {
        if (to == null) {
            return false;
        }
        long end = to.getOrDefault(partition, 0L);
        return from.getOrDefault(partition, end) >= end || position >= end;
    }

    public byte[] key() {
        return (KEY_PREFIX + slot + "/" + schema + "." + table).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] value() {
        ObjectNode value = Json.object().put("slot", slot).put("schema", schema).put("table", table).put("topic", topic)
                .put("id", id);
        offsets(value.putObject("from"), from);
        if (to != null) {
            offsets(value.putObject("to"), to);
        }
        return Json.bytes(value);
    }

    /** The record a state topic's key and value hold, or null when it is another record (or a tombstone). */
    public static SnapshotBounds parse(byte[] key, byte[] value) {
        if (key == null || value == null || !new String(key, StandardCharsets.UTF_8).startsWith(KEY_PREFIX)) {
            return null;
        }
        JsonNode json = Json.read(value);
        return new SnapshotBounds(json.path("slot").asText(), json.path("schema").asText(), json.path("table").asText(),
                json.path("topic").asText(), json.path("id").asText(), offsets(json.path("from")),
                json.has("to") ? offsets(json.get("to")) : null);
    }

    private static void offsets(ObjectNode into, Map<Integer, Long> offsets) {
        new TreeMap<>(offsets).forEach((partition, offset) -> into.put(Integer.toString(partition), offset));
    }

    private static Map<Integer, Long> offsets(JsonNode json) {
        Map<Integer, Long> offsets = new TreeMap<>();
        json.fields().forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        return offsets;
    }
}
