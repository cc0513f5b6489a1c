package io.cdcflow.writer.batch;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rows waiting for ClickHouse, a batch per table, and each table's other buffer: the one in flight, or a spare
 * once it landed. {@link #takeLoaded} swaps them, so the loop encodes the next batch into the spare while ClickHouse
 * parses the last one, and no buffer is allocated again once each table has two.
 */
public final class TableBatches {
    private final LongSupplier clock;
    private final Map<String, TableBatch> waiting = new LinkedHashMap<>();
    private final Map<String, TableBatch> spares = new HashMap<>();

    /** @param clock the time in nanoseconds, for the batches' ages */
    public TableBatches(LongSupplier clock) {
        this.clock = clock;
    }

    /** The batch of {@code table} that rows are added to. */
    public TableBatch of(String table) {
        return waiting.computeIfAbsent(table, t -> new TableBatch(clock));
    }

    /** Whether a table's batch has reached {@code rows} rows or {@code bytes} bytes. */
    public boolean anyFull(int rows, long bytes) {
        for (TableBatch batch : waiting.values()) {
            if (batch.rows() >= rows || batch.bytes() >= bytes) {
                return true;
            }
        }
        return false;
    }

    /** Whether a table's batch has waited {@code nanos} or more since its first row. */
    public boolean anyOlderThan(long nanos) {
        return waiting.values().stream().anyMatch(b -> b.ageNanos() >= nanos);
    }

    public boolean isEmpty() {
        return waiting.values().stream().allMatch(b -> b.rows() == 0);
    }

    /**
     * The batches holding rows, by table, for one flight: each is replaced by the table's spare, emptied. They stay
     * untouched until a later call takes them back as spares, which the caller does only once their flight landed.
     */
    public Map<String, TableBatch> takeLoaded() {
        Map<String, TableBatch> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, TableBatch> entry : waiting.entrySet()) {
            if (entry.getValue().rows() > 0) {
                TableBatch spare = spares.getOrDefault(entry.getKey(), new TableBatch(clock));
                spare.clear();
                loaded.put(entry.getKey(), entry.getValue());
                spares.put(entry.getKey(), entry.getValue());
                entry.setValue(spare);
            }
        }
        return loaded;
    }

    /** Drops every waiting row (they will be read again). */
    public void clear() {
        waiting.values().forEach(TableBatch::clear);
    }
}
