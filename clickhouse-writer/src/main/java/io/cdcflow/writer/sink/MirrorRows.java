package io.cdcflow.writer.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.schema.TableSchema;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The rows of mirrored tables waiting for their next INSERT: each change event of a captured table as a row of its
 * mirror, the newest change of each key only. That is all a ReplacingMergeTree keeps, and it keeps hot keys (a
 * pgbench branch, a counter) from shrinking batches: on servers without UInt128 the changes of one key in one
 * transaction share a version, and the last one must win, which one row per key per INSERT guarantees without an
 * INSERT per change. A value PostgreSQL did not resend (an unchanged TOASTed column) comes from the key's earlier
 * change in the batch, else from ClickHouse, looked up once per batch for every row that needs it ({@link ToastLookup}).
 * Pure: no server, no consumer.
 */
final class MirrorRows {
    /** The values ClickHouse holds for rows whose unchanged TOASTed columns were not resent. */
    interface ToastLookup {
        /** For each row (same order), the current values of its missing columns, or null when ClickHouse has none. */
        List<ObjectNode> previous(TableSchema schema, List<Missing> rows);
    }

    /** A row's key and the columns PostgreSQL did not resend. */
    record Missing(JsonNode key, Set<String> columns) {
    }

    /** A record whose row ClickHouse's column types refuse, for the dead-letter topic. */
    record Refused(ConsumerRecord<byte[], byte[]> record, String error) {
    }

    private static final class Pending {
        final ObjectNode row;
        final JsonNode key;
        final ConsumerRecord<byte[], byte[]> record;
        final Set<String> missing;

        Pending(ObjectNode row, JsonNode key, ConsumerRecord<byte[], byte[]> record, Set<String> missing) {
            this.row = row;
            this.key = key;
            this.record = record;
            this.missing = missing;
        }
    }

    /** One table's pending rows, all of one schema, by the record key's bytes in the order keys first came. */
    private static final class Table {
        final TableSchema schema;
        final Map<ByteBuffer, Pending> rows = new LinkedHashMap<>();
        final long firstAddedNanos;
        long bytes;

        Table(TableSchema schema, long now) {
            this.schema = schema;
            this.firstAddedNanos = now;
        }
    }

    private final Map<String, Table> tables = new LinkedHashMap<>();
    /** The time in nanoseconds, for how long rows have waited. */
    private final java.util.function.LongSupplier clock;

    MirrorRows() {
        this(System::nanoTime);
    }

    MirrorRows(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    /** Adds the row of an insert, update or delete (never a truncate) at {@code version}, replacing its key's earlier one. */
    void add(TableSchema schema, ChangeEvent event, BigInteger version, ConsumerRecord<byte[], byte[]> record) {
        Table table = tables.get(schema.table());
        if (table != null && table.schema != schema) {
            throw new IllegalStateException("pending rows of " + schema.table() + " have another schema: drain them first");
        }
        if (table == null) {
            table = new Table(schema, clock.getAsLong());
            tables.put(schema.table(), table);
        }
        ObjectNode row = event.payload().deepCopy();
        row.put(schema.meta().version(), version);
        row.put(schema.meta().deleted(), event.metadata().operation() == Operation.DELETE ? 1 : 0);
        ByteBuffer key = ByteBuffer.wrap(record.key());
        Pending earlier = table.rows.remove(key); // re-added: the key's row goes where its newest change is
        Set<String> missing = new LinkedHashSet<>();
        for (String column : event.metadata().unchangedToast()) {
            if (schema.position(column) < 0) {
                continue;
            }
            if (earlier != null && !earlier.missing.contains(column) && earlier.row.has(column)) {
                row.set(column, earlier.row.get(column));
            } else {
                missing.add(column);
            }
        }
        table.rows.put(key, new Pending(row, event.key(), record, missing));
        table.bytes += record.value().length;
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    /** The tables with pending rows. */
    List<String> tables() {
        return List.copyOf(tables.keySet());
    }

    /** The schema a table's pending rows were read with, or null when it has none. */
    TableSchema schema(String table) {
        Table t = tables.get(table);
        return t == null ? null : t.schema;
    }

    int rows(String table) {
        Table t = tables.get(table);
        return t == null ? 0 : t.rows.size();
    }

    /** The pending records' size: what the batch limits count. */
    long bytes(String table) {
        Table t = tables.get(table);
        return t == null ? 0 : t.bytes;
    }

    /** How long the oldest pending row has waited. */
    long oldestNanos() {
        long now = clock.getAsLong();
        long oldest = 0;
        for (Table t : tables.values()) {
            oldest = Math.max(oldest, now - t.firstAddedNanos);
        }
        return oldest;
    }

    /**
     * Encodes a table's pending rows into {@code batch} and forgets them: the values no change in the batch carried
     * are looked up first, in one call. Rows the encoder refuses are returned for the dead-letter topic.
     */
    List<Refused> drain(String name, TableBatch batch, RowEncoder encoder, ToastLookup lookup) {
        Table table = tables.remove(name);
        if (table == null) {
            return List.of();
        }
        List<Pending> incomplete = new ArrayList<>();
        for (Pending pending : table.rows.values()) {
            if (!pending.missing.isEmpty()) {
                incomplete.add(pending);
            }
        }
        if (!incomplete.isEmpty()) {
            List<ObjectNode> found = lookup.previous(table.schema, incomplete.stream().map(p -> new Missing(p.key, p.missing)).toList());
            for (int i = 0; i < incomplete.size(); i++) {
                ObjectNode values = found.get(i);
                if (values != null) {
                    ObjectNode row = incomplete.get(i).row;
                    incomplete.get(i).missing.forEach(column -> {
                        if (values.has(column)) {
                            row.set(column, values.get(column));
                        }
                    });
                }
            }
        }
        List<Refused> refused = new ArrayList<>();
        for (Pending pending : table.rows.values()) {
            try {
                encoder.encode(table.schema, Json.bytes(pending.row), batch);
                batch.sourceOfLast(new org.apache.kafka.common.TopicPartition(pending.record.topic(), pending.record.partition()),
                        pending.record.offset(), pending.record.timestamp());
            } catch (RowEncoder.BadRowException e) {
                refused.add(new Refused(pending.record, e.getMessage()));
            }
        }
        return refused;
    }

    /** Forgets every pending row: they are read again. */
    void clear() {
        tables.clear();
    }
}
