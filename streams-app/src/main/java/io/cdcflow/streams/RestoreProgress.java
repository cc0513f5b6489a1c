package io.cdcflow.streams;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.Progress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * How far Kafka Streams has restored the application's state from Kafka (its changelogs, and the source topics that
 * restore the source tables' stores): a start without local state (a new instance, a lost disk, a task moved) rebuilds
 * every store before processing resumes, minutes at a large table's size, and this says how far it is. One round is
 * from a first store partition starting to restore while none does until every one started since has ended: its
 * offsets restored of the offsets to restore, the rate, the time left, as metrics ({@code streams_restore_*}), as a
 * log line every {@link #LOG_EVERY_NANOS} and at the round's end, and as {@link #line} for {@code /ready}. Offsets
 * count a transaction's markers and compacted-away records too: the records actually restored are counted apart, per
 * round in the log and in total since the start in {@code streams_restore_records_total} (a start restores its
 * tasks' stores in one round or several, as they are assigned and end).
 * Kafka Streams' state updater threads call it concurrently.
 */
final class RestoreProgress implements StateRestoreListener {
    static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private final LongSupplier nanos;
    private final Consumer<String> log;
    /** The store partitions restoring in this round: the offset each restores to, and the one it has reached. */
    private final Map<String, long[]> active = new HashMap<>();
    private final Metrics.Counter restoredTotal;
    /** The round's offsets restored of offsets to restore (null before the first round). */
    private Progress round;
    private long records;
    private int partitions;
    private long lastLog;

    RestoreProgress(Metrics metrics, Consumer<String> log) {
        this(metrics, log, System::nanoTime);
    }

    RestoreProgress(Metrics metrics, Consumer<String> log, LongSupplier nanos) {
        this.nanos = nanos;
        this.log = log;
        metrics.gauge("streams_restore_offsets_remaining",
                "Offsets of the changelogs and source topics still to restore into the local state stores (0 when none restores)",
                this::remaining);
        this.restoredTotal = metrics.counter("streams_restore_records_total", "Records restored into the local state stores since the start");
    }

    @Override
    public synchronized void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        long now = nanos.getAsLong();
        if (active.isEmpty()) {
            round = new Progress(now, 0);
            round.update(0, 0);
            records = 0;
            partitions = 0;
            lastLog = now;
        }
        active.put(key(partition, store), new long[] {endingOffset, startingOffset});
        round.update(round.done(), round.total() + Math.max(0, endingOffset - startingOffset));
        partitions++;
    }

    @Override
    public synchronized void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        long[] reached = active.get(key(partition, store));
        if (reached == null) {
            return;
        }
        long position = Math.min(batchEndOffset + 1, reached[0]);
        round.update(round.done() + Math.max(0, position - reached[1]), round.total());
        reached[1] = Math.max(reached[1], position);
        records += numRestored;
        restoredTotal.add(numRestored);
        long now = nanos.getAsLong();
        if (now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            log.accept("restoring the state stores from Kafka: " + line());
        }
    }

    @Override
    public synchronized void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        ended(partition, store);
    }

    @Override
    public synchronized void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        ended(partition, store); // the task moved or closed: its partitions no longer count as work left here
    }

    private void ended(TopicPartition partition, String store) {
        long[] reached = active.remove(key(partition, store));
        if (reached == null) {
            return;
        }
        // what it did not restore is not left to do
        round.update(round.done(), round.total() - Math.max(0, reached[0] - reached[1]));
        if (active.isEmpty()) {
            long now = nanos.getAsLong();
            round.finish(now);
            if (records > 0) {
                log.accept(String.format(Locale.ROOT, "state stores restored from Kafka: %d records into %d store partition(s) in %.1f s "
                        + "(%d records/s)", records, partitions, round.seconds(now), Math.round(records / Math.max(round.seconds(now), 0.001))));
            }
        }
    }

    /**
     * While a round runs: "1200000 of 3400000 offsets (35 %), 410000 records restored, 98000 offsets/s, about 22 s
     * left, 12 store partition(s) restoring"; null when none restores.
     */
    synchronized String line() {
        if (active.isEmpty()) {
            return null;
        }
        long now = nanos.getAsLong();
        double left = round.remaining(now);
        return round.done() + " of " + round.total() + " offsets (" + round.percent() + " %), " + records + " records restored, "
                + Math.round(round.rate(now)) + " offsets/s" + (left < 0 ? "" : ", about " + Math.round(left) + " s left") + ", "
                + active.size() + " store partition(s) restoring";
    }

    private synchronized double remaining() {
        return active.isEmpty() ? 0 : Math.max(0, round.total() - round.done());
    }

    private static String key(TopicPartition partition, String store) {
        return store + "/" + partition;
    }
}
