package io.cdcflow.writer.batch;

import io.cdcflow.common.io.GrowableBytes;
import java.io.InputStream;
import java.util.List;

/** The rows waiting for one table's next INSERT, as TabSeparated lines of the same columns. */
public final class TableBatch {
    private final GrowableBytes rows = new GrowableBytes(64 * 1024);
    private int count;
    private long firstAddedNanos;
    private List<String> columns = List.of();

    public void add(byte[] line, int lineLength, List<String> lineColumns) {
        if (count == 0) {
            firstAddedNanos = System.nanoTime();
            columns = lineColumns;
        }
        rows.write(line, 0, lineLength);
        count++;
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
        return count == 0 ? 0 : System.nanoTime() - firstAddedNanos;
    }

    public byte[] content() {
        return rows.toByteArray();
    }

    /** The lines so far, without copying; valid until the next {@link #add} or {@link #clear}. */
    public InputStream stream() {
        return rows.stream();
    }

    public void clear() {
        rows.reset();
        count = 0;
    }
}
