package io.cdcflow.writer.batch;

import java.io.ByteArrayOutputStream;

/** The rows waiting for one table's next INSERT. */
public final class TableBatch {
    private final ByteArrayOutputStream rows = new ByteArrayOutputStream(64 * 1024);
    private int count;
    private long firstAddedNanos;

    public void add(byte[] line) {
        if (count == 0) {
            firstAddedNanos = System.nanoTime();
        }
        rows.writeBytes(line);
        count++;
    }

    public int rows() {
        return count;
    }

    public long bytes() {
        return rows.size();
    }

    public long ageNanos() {
        return count == 0 ? 0 : System.nanoTime() - firstAddedNanos;
    }

    public byte[] content() {
        return rows.toByteArray();
    }

    public void clear() {
        rows.reset();
        count = 0;
    }
}
