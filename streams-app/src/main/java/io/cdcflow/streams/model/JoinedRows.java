package io.cdcflow.streams.model;

import java.util.Arrays;

/**
 * The source rows of one fact row, by position: the root's at 0, join {@code i}'s at {@code i + 1} (null where the
 * join found no row). Immutable: {@link #with} copies the array of references, never a row.
 */
public final class JoinedRows {
    private final SourceRow[] rows;

    private JoinedRows(SourceRow[] rows) {
        this.rows = rows;
    }

    /** The root row alone, with room for {@code joins} joined rows. */
    public static JoinedRows root(SourceRow root, int joins) {
        SourceRow[] rows = new SourceRow[joins + 1];
        rows[0] = root;
        return new JoinedRows(rows);
    }

    /** Rows as read back from their serialized form. */
    public static JoinedRows of(SourceRow[] rows) {
        return new JoinedRows(rows.clone());
    }

    public int size() {
        return rows.length;
    }

    public SourceRow row(int position) {
        return rows[position];
    }

    public SourceRow root() {
        return rows[0];
    }

    /** These rows with {@code row} (null: none) at {@code position}. */
    public JoinedRows with(int position, SourceRow row) {
        SourceRow[] copy = rows.clone();
        copy[position] = row;
        return new JoinedRows(copy);
    }

    /** The newest commit LSN among the rows. */
    public long newestLsn() {
        long lsn = 0;
        for (SourceRow row : rows) {
            long v = SourceRow.version(row);
            if (Long.compareUnsigned(v, lsn) > 0) {
                lsn = v;
            }
        }
        return lsn;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinedRows other && Arrays.equals(rows, other.rows);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rows);
    }

    @Override
    public String toString() {
        return Arrays.toString(rows);
    }
}
