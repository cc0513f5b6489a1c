package io.cdcflow.wal.snapshot;

import io.cdcflow.common.ops.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * How far each table's snapshot has come: rows read, rows expected (PostgreSQL's estimate, or the rows read once they
 * are more), the rate since the table's snapshot began and the time left at that rate, as metrics
 * ({@code cdc_snapshot_rows_expected}, {@code cdc_snapshot_rows_per_second}, {@code cdc_snapshot_remaining_seconds},
 * per table) and as one line for the log.
 */
final class SnapshotProgress {
    private final LongSupplier nanos;
    private final Map<String, Table> tables = new ConcurrentSkipListMap<>();

    private static final class Table {
        final long expected;
        final long started;
        volatile long read;
        volatile long ended = -1;

        Table(long expected, long started) {
            this.expected = expected;
            this.started = started;
        }
    }

    SnapshotProgress(Metrics metrics) {
        this(metrics, System::nanoTime);
    }

    SnapshotProgress(Metrics metrics, LongSupplier nanos) {
        this.nanos = nanos;
        metrics.gauges("cdc_snapshot_rows_expected",
                "Rows the snapshot of the table expects to read (PostgreSQL's estimate, or the rows read when more)", "table", tables, this::expected);
        metrics.gauges("cdc_snapshot_rows_per_second", "Rows read per second since the table's snapshot began", "table", tables, this::rate);
        metrics.gauges("cdc_snapshot_remaining_seconds",
                "Estimated time until the table's snapshot ends, at its rate so far (0 once done)", "table", tables, this::remaining);
    }

    /** A table's snapshot begins, expecting about {@code expected} rows. */
    void begin(String table, long expected) {
        tables.put(table, new Table(Math.max(expected, 0), nanos.getAsLong()));
    }

    void read(String table, long rows) {
        tables.get(table).read = rows;
    }

    void end(String table, long rows) {
        Table t = tables.get(table);
        t.read = rows;
        t.ended = nanos.getAsLong();
    }

    /** "120000 of about 1000000 rows (12 %), 24000 rows/s, about 37 s left" */
    String line(String table) {
        Table t = tables.get(table);
        long expected = expected(t);
        return t.read + " of about " + expected + " rows (" + (expected == 0 ? 100 : t.read * 100 / expected) + " %), "
                + Math.round(rate(t)) + " rows/s, about " + Math.round(remaining(t)) + " s left";
    }

    private long expected(Table t) {
        return Math.max(t.expected, t.read);
    }

    private double rate(Table t) {
        long end = t.ended >= 0 ? t.ended : nanos.getAsLong();
        return t.read / Math.max((end - t.started) / 1e9, 0.001);
    }

    private double remaining(Table t) {
        if (t.ended >= 0) {
            return 0;
        }
        double rate = rate(t);
        return rate <= 0 ? -1 : (expected(t) - t.read) / rate;
    }
}
