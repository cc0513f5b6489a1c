package io.cdcflow.wal.pgoutput;

/** Bytes that are not a valid pgoutput message. */
public final class PgOutputFormatException extends RuntimeException {
    public PgOutputFormatException(String message) {
        super(message);
    }
}
