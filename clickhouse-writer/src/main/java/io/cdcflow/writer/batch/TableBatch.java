package io.cdcflow.writer.batch;

import io.cdcflow.common.io.GrowableBytes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The rows waiting for one table's next INSERT, as TabSeparated lines of the same columns. Each line remembers where
 * it ends and which record it came from, so a batch ClickHouse rejects can be split to find the rows it refuses.
 */
public final class TableBatch {
    private final GrowableBytes rows = new GrowableBytes(64 * 1024);
    private int count;
    private int[] ends = new int[1024];
    /** The record each line came from: its partition (null when unknown) and offset. */
    private TopicPartition[] partitions = new TopicPartition[1024];
    private long[] offsets = new long[1024];
    private long firstAddedNanos;
    private long newestTimestamp = -1;
    private List<String> columns = List.of();
    /** The time in nanoseconds, for the batch's age. */
    private final java.util.function.LongSupplier clock;

    public TableBatch() {
        this(System::nanoTime);
    }

    public TableBatch(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    public void add(byte[] line, int lineLength, List<String> lineColumns) {
        if (count == 0) {
            firstAddedNanos = clock.getAsLong();
            columns = lineColumns;
        }
        rows.write(line, 0, lineLength);
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
            partitions = Arrays.copyOf(partitions, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        ends[count] = rows.length();
        partitions[count] = null;
        count++;
    }

    /** Names the record the last line came from. */
    public void sourceOfLast(TopicPartition partition, long offset) {
        if (count > 0) {
            partitions[count - 1] = partition;
            offsets[count - 1] = offset;
        }
    }

    /** Names the record the last line came from, and its time (its source change's commit time: the writer's lag). */
    public void sourceOfLast(TopicPartition partition, long offset, long timestamp) {
        sourceOfLast(partition, offset);
        newestTimestamp = Math.max(newestTimestamp, timestamp);
    }

    /** The newest time of a record a line came from, or -1. */
    public long newestTimestamp() {
        return newestTimestamp;
    }

    /** Whether the last line's record is named. */
    public boolean lastHasSource() {
        return count > 0 && partitions[count - 1] != null;
    }

    /** The record line {@code i} came from ({@code topic[partition]@offset}), or null. */
    public String source(int i) {
        return partitions[i] == null ? null : partitions[i].topic() + "[" + partitions[i].partition() + "]@" + offsets[i];
    }

    /** Whether a line came from a record before its partition's offset in {@code horizon}. */
    public boolean anyBefore(java.util.Map<TopicPartition, Long> horizon) {
        for (int i = 0; i < count; i++) {
            Long offset = partitions[i] == null ? null : horizon.get(partitions[i]);
            if (offset != null && offsets[i] < offset) {
                return true;
            }
        }
        return false;
    }

    /** The columns of every line, in order. */
    public List<String> columns() {
        return columns;
    }

    public int rows() {
        return count;
    }

    public long bytes() {
        return rows.length();
    }

    public long ageNanos() {
        return count == 0 ? 0 : clock.getAsLong() - firstAddedNanos;
    }

    public byte[] content() {
        return rows.toByteArray();
    }

    /** The lines so far, without copying; valid until the next {@link #add} or {@link #clear}. */
    public InputStream stream() {
        return rows.stream();
    }

    /** Lines {@code from} (inclusive) to {@code to} (exclusive), without copying. */
    public InputStream stream(int from, int to) {
        int start = from == 0 ? 0 : ends[from - 1];
        return new ByteArrayInputStream(rows.array(), start, ends[to - 1] - start);
    }

    /** Line {@code i}, with its newline. */
    public byte[] line(int i) {
        int start = i == 0 ? 0 : ends[i - 1];
        return Arrays.copyOfRange(rows.array(), start, ends[i]);
    }

    public void clear() {
        rows.reset();
        count = 0;
        newestTimestamp = -1;
    }
}
