package io.cdcflow.wal.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Published events of one table, and the table state a keyed consumer derives from them. */
final class ChangeLog {
    final List<ChangeEvent> events = new ArrayList<>();

    ChangeLog(List<ConsumerRecord<byte[], byte[]>> records, String topic) {
        this(records, topic, null);
    }

    /** @param table the table whose events to keep, from a topic that holds several; null for all */
    ChangeLog(List<ConsumerRecord<byte[], byte[]>> records, String topic, String table) {
        records.stream().filter(r -> r.topic().equals(topic))
                .map(r -> ChangeEventCodec.fromRecord(r.key(), r.value()))
                .filter(e -> table == null || e.metadata().table().equals(table))
                .forEach(events::add);
        // Order holds per key (one partition); across keys, commit order is (commit LSN, position in transaction).
        events.sort(java.util.Comparator.comparing((ChangeEvent e) -> e.metadata().commitLsn())
                .thenComparingLong(e -> e.metadata().seq()));
    }

    /**
     * Key to row, applying events in order; an unchanged-TOAST column keeps its previous value, which after a key
     * change is the value of the row under the old key (named by {@code before}).
     */
    Map<String, ObjectNode> state() {
        Map<String, ObjectNode> rows = new TreeMap<>();
        Map<String, ObjectNode> deleted = new TreeMap<>();
        for (ChangeEvent e : events) {
            String key = e.key().toString();
            switch (e.metadata().operation()) {
                case DELETE -> deleted.put(key, rows.remove(key));
                case TRUNCATE -> rows.clear();
                default -> {
                    ObjectNode row = e.payload().deepCopy();
                    ObjectNode previous = rows.get(key);
                    if (previous == null && e.before() != null) {
                        previous = deleted.get(keyOf(e.before(), e.key()));
                    }
                    for (String column : e.metadata().unchangedToast()) {
                        row.set(column, previous == null ? null : previous.get(column));
                    }
                    rows.put(key, row);
                }
            }
        }
        return rows;
    }

    private static String keyOf(ObjectNode row, ObjectNode keyShape) {
        ObjectNode key = Json.object();
        keyShape.fieldNames().forEachRemaining(name -> key.set(name, row.get(name)));
        return key.toString();
    }

    long count(Operation operation) {
        return events.stream().filter(e -> e.metadata().operation() == operation).count();
    }

    static Map<String, ObjectNode> rowsOf(String json, String keyColumn) {
        Map<String, ObjectNode> rows = new TreeMap<>();
        JsonNode array = Json.read(json == null ? "[]" : json);
        for (JsonNode row : array) {
            rows.put(Json.object().set(keyColumn, row.get(keyColumn)).toString(), (ObjectNode) row);
        }
        return rows;
    }
}
