package io.cdcflow.wal.pgoutput;

import java.util.List;

/** A row as pgoutput sends it: one value per column of the relation, in column order. */
public record TupleData(List<Value> values) {

    /** One column's value. */
    public sealed interface Value {
    }

    /** SQL NULL. */
    public record Null() implements Value {
    }

    /** A TOASTed value that did not change: PostgreSQL did not send it, so it is unknown here. */
    public record UnchangedToast() implements Value {
    }

    /** The value in PostgreSQL's text output format. */
    public record Text(String text) implements Value {
    }

    /** The value in binary format (only when the binary option is requested). */
    public record Binary(byte[] bytes) implements Value {
    }

    /**
     * A value longer than the decoder was told to read: skipped, never copied, so a 300 MB value costs no memory
     * beyond the message the driver holds. Its length in bytes.
     */
    public record Oversized(int bytes) implements Value {
    }

    public static final Null NULL = new Null();
    public static final UnchangedToast UNCHANGED_TOAST = new UnchangedToast();
}
