package io.cdcflow.common.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.facts.FactQueries;
import io.cdcflow.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts a wal-producer's snapshot at {@code lsn} computes in PostgreSQL itself: each view's rows as they were at
 * the snapshot's point, sent as chunks of rows on the facts' snapshot topic instead of being computed row by row by
 * the streams-app. Recorded in the wal-producer's state topic (keyed by slot) before the snapshot's first row, and never
 * withdrawn: a snapshot started again at the same position exports the same queries (they are in the record), so a
 * streams-app that read the record may count on every view in it landing at {@code lsn}. One later at a new position
 * replaces it.
 *
 * <p>Chunks carry the {@link #FACT_HEADER fact's name}, {@link #HASH_HEADER its query's hash} and {@link #LSN_HEADER
 * the snapshot's LSN}. Their value is rows separated by newlines, each at the version {@code lsn} and not deleted, in
 * one of two forms: with the {@link #COLUMNS_HEADER} header, PostgreSQL's own {@code COPY ... TO STDOUT} text of the
 * columns it names (for views whose every column's text the writer takes as it is: numbers, text, booleans, dates and
 * times, UUIDs); without it, JSON rows as the streams-app would send them.
 */
public record FactsExport(String slot, long lsn, Map<String, FactQueries.Query> facts) {
    public static final String KEY_PREFIX = "facts-export/";
    public static final String FACT_HEADER = "cdc.fact";
    public static final String HASH_HEADER = "cdc.fact_hash";
    public static final String LSN_HEADER = "cdc.snapshot_lsn";
    /** On a chunk of COPY text rows: the JSON array of its columns' names, in the rows' order. */
    public static final String COLUMNS_HEADER = "cdc.copy_columns";
    /** The headers a chunk keeps on its way from the facts' snapshot topic to the fact's topic. */
    public static final java.util.List<String> CHUNK_HEADERS = java.util.List.of(FACT_HEADER, HASH_HEADER, LSN_HEADER, COLUMNS_HEADER);
    /**
     * The facts' snapshot topic keeps its chunks for good (deleted, not compacted: a view's chunks share its key): a
     * streams-app started long after the export still finds the rows it leaves to it.
     */
    public static final Map<String, String> TOPIC_CONFIG = Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");

    public FactsExport {
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /** Whether the rows of {@code fact} as defined by {@code hash} are exported. */
    public boolean covers(String fact, String hash) {
        FactQueries.Query q = facts.get(fact);
        return q != null && q.hash().equals(hash);
    }

    public byte[] key() {
        return (KEY_PREFIX + slot).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] value() {
        ObjectNode value = Json.object().put("slot", slot).put("lsn", Long.toUnsignedString(lsn));
        ObjectNode views = value.putObject("facts");
        facts.values().forEach(q -> views.putObject(q.name()).put("sql", q.sql()).put("hash", q.hash()));
        return Json.bytes(value);
    }

    /**
     * The consistent point of the completed snapshot a state topic's record says a slot took (its key is the slot's
     * name), or null when the record says something else: an export at or before that point is complete.
     */
    public static Long snapshotCompletedAt(byte[] key, byte[] value) {
        if (key == null || value == null || value.length == 0 || value[0] != '{') {
            return null;
        }
        JsonNode json = Json.read(value);
        if (!json.path("snapshot_complete").asBoolean(false) || !json.has("consistent_point")
                || !json.path("slot").asText().equals(new String(key, StandardCharsets.UTF_8))) {
            return null;
        }
        return io.cdcflow.common.event.Lsn.parse(json.get("consistent_point").asText()).value();
    }

    /** The record a state topic's key and value hold, or null when it is another record (or a tombstone). */
    public static FactsExport parse(byte[] key, byte[] value) {
        if (key == null || value == null || !new String(key, StandardCharsets.UTF_8).startsWith(KEY_PREFIX)) {
            return null;
        }
        JsonNode json = Json.read(value);
        Map<String, FactQueries.Query> facts = new LinkedHashMap<>();
        json.path("facts").fields().forEachRemaining(e -> facts.put(e.getKey(),
                new FactQueries.Query(e.getKey(), e.getValue().path("sql").asText(), e.getValue().path("hash").asText())));
        return new FactsExport(json.path("slot").asText(), Long.parseUnsignedLong(json.path("lsn").asText("0")), facts);
    }
}
