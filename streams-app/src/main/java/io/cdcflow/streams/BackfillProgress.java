package io.cdcflow.streams;

import io.cdcflow.common.kafka.SnapshotBounds;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;

/**
 * How far the application has read each source table's snapshot in the table's topic: the records of the snapshot's
 * range (its rows, and whatever changes the wal-producer streamed into those partitions meanwhile) behind the
 * application's committed offsets, of how many (known once the wal-producer's snapshot ended), at what rate since
 * this process first saw the snapshot, and the time left at that rate. As metrics ({@code streams_snapshot_*}, per
 * table: what {@code ./cdcflow status} prints) and as one line for the log: the wal-producer's snapshot of a large
 * table ends long before the facts of its rows are all out, and this is the backfill's progress in between.
 */
final class BackfillProgress {
    private final LongSupplier nanos;
    private final Map<String, Table> tables = new ConcurrentSkipListMap<>();

    /** A table's snapshot (the ids of its ranges) as last read: its total is -1 while the wal-producer's snapshot runs. */
    private record Table(String snapshot, Progress progress) {
    }

    BackfillProgress(Metrics metrics) {
        this(metrics, System::nanoTime);
    }

    BackfillProgress(Metrics metrics, LongSupplier nanos) {
        this.nanos = nanos;
        metrics.gauges("streams_snapshot_records_read",
                "Records of the table's snapshot (its range in the table's topic) the application has read and committed",
                "table", tables, t -> t.progress.done());
        metrics.gauges("streams_snapshot_records", "Records in the table's snapshot range (-1 while the wal-producer's snapshot runs)",
                "table", tables, t -> t.progress.total());
        metrics.gauges("streams_snapshot_records_per_second", "Records of the table's snapshot read per second since this process first saw it",
                "table", tables, t -> t.progress.rate(nanos.getAsLong()));
        metrics.gauges("streams_snapshot_remaining_seconds",
                "Estimated time until the table's snapshot is read, at its rate so far (0 once read, -1 unknown)", "table", tables,
                t -> t.progress.remaining(nanos.getAsLong()));
    }

    /**
     * Records {@code table}'s reading of {@code snapshot} (the ids of {@code bounds}, the table's snapshot ranges), at
     * the application's next offsets to read ({@code position}: by topic and partition, 0 where nothing is committed).
     *
     * @return true when this reading finished the snapshot: every record of its ranges read
     */
    boolean update(String table, String snapshot, List<SnapshotBounds> bounds, ToLongBiFunction<String, Integer> position) {
        long read = 0;
        long total = 0;
        for (SnapshotBounds b : bounds) {
            TreeSet<Integer> partitions = new TreeSet<>(b.from().keySet());
            if (b.to() != null) {
                partitions.addAll(b.to().keySet());
            }
            for (int p : partitions) {
                long from = b.from().getOrDefault(p, 0L);
                long behind = Math.max(0, position.applyAsLong(b.topic(), p) - from);
                if (b.to() == null) {
                    read += behind;
                    total = -1;
                } else {
                    long span = Math.max(0, b.to().getOrDefault(p, from) - from);
                    read += Math.min(behind, span);
                    total = total < 0 ? -1 : total + span;
                }
            }
        }
        Table t = tables.get(table);
        if (t == null || !t.snapshot.equals(snapshot)) {
            t = new Table(snapshot, new Progress(nanos.getAsLong(), read));
            tables.put(table, t);
        }
        t.progress.update(read, total);
        if (!t.progress.finished() && total >= 0 && read >= total) {
            t.progress.finish(nanos.getAsLong());
            return true;
        }
        return false;
    }

    /** Whether the application has read every record of {@code snapshot} of {@code table}: nothing more to follow. */
    boolean finished(String table, String snapshot) {
        Table t = tables.get(table);
        return t != null && t.snapshot.equals(snapshot) && t.progress.finished();
    }

    /** The tables whose snapshot the application is still reading. */
    List<String> reading() {
        List<String> out = new ArrayList<>();
        tables.forEach((table, t) -> {
            if (!t.progress.finished()) {
                out.add(table);
            }
        });
        return out;
    }

    /**
     * "120000 of 1000000 records (12 %), 24000 records/s, about 37 s left"; "120000 records so far" while the total is
     * unknown; "1000000 records in 41.5 s (24096 records/s)" once read (the time since this process first saw it).
     */
    String line(String table) {
        Progress p = tables.get(table).progress;
        long now = nanos.getAsLong();
        long rate = Math.round(p.rate(now));
        if (p.finished()) {
            return p.done() + " records in " + String.format(java.util.Locale.ROOT, "%.1f", p.seconds(now)) + " s (" + rate + " records/s)";
        }
        if (p.total() < 0) {
            return p.done() + " records so far (the wal-producer's snapshot still runs), " + rate + " records/s";
        }
        double left = p.remaining(now);
        return p.done() + " of " + p.total() + " records (" + p.percent() + " %), " + rate + " records/s"
                + (left < 0 ? "" : ", about " + Math.round(left) + " s left");
    }
}
