package io.cdcflow.writer.batch;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/** The rows waiting for one table's next INSERT, as TabSeparated lines of the same columns. */
public final class TableBatch {
    private byte[] rows = new byte[64 * 1024];
    private int length;
    private int count;
    private long firstAddedNanos;
    private List<String> columns = List.of();

    public void add(byte[] line, int lineLength, List<String> lineColumns) {
        if (count == 0) {
            firstAddedNanos = System.nanoTime();
            columns = lineColumns;
        }
        if (length + lineLength > rows.length) {
            rows = Arrays.copyOf(rows, Math.max(rows.length * 2, length + lineLength));
        }
        System.arraycopy(line, 0, rows, length, lineLength);
        length += lineLength;
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
        return length;
    }

    public long ageNanos() {
        return count == 0 ? 0 : System.nanoTime() - firstAddedNanos;
    }

    public byte[] content() {
        return Arrays.copyOf(rows, length);
    }

    /** The lines so far, without copying; valid until the next {@link #add} or {@link #clear}. */
    public InputStream stream() {
        return new ByteArrayInputStream(rows, 0, length);
    }

    public void clear() {
        length = 0;
        count = 0;
    }
}
