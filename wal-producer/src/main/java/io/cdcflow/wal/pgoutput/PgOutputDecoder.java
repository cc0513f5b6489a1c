package io.cdcflow.wal.pgoutput;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the bytes of one pgoutput message into a {@link PgOutputMessage}. Pure: it knows nothing of connections,
 * relations seen before, or Kafka.
 */
public final class PgOutputDecoder {
    /** PostgreSQL timestamps count microseconds from 2000-01-01T00:00:00Z. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private PgOutputDecoder() {
    }

    public static PgOutputMessage decode(ByteBuffer buffer) {
        return decode(buffer, Integer.MAX_VALUE);
    }

    /** Decodes one message; a column value longer than {@code maxValueBytes} is skipped as {@link TupleData.Oversized}. */
    public static PgOutputMessage decode(ByteBuffer buffer, int maxValueBytes) {
        char type = (char) buffer.get();
        try {
            return switch (type) {
                case 'B' -> new PgOutputMessage.Begin(buffer.getLong(), timestamp(buffer.getLong()), Integer.toUnsignedLong(buffer.getInt()));
                case 'C' -> new PgOutputMessage.Commit(buffer.get(), buffer.getLong(), buffer.getLong(), timestamp(buffer.getLong()));
                case 'O' -> new PgOutputMessage.Origin(buffer.getLong(), string(buffer));
                case 'R' -> relation(buffer);
                case 'Y' -> new PgOutputMessage.Type(buffer.getInt(), string(buffer), string(buffer));
                case 'I' -> insert(buffer, maxValueBytes);
                case 'U' -> update(buffer, maxValueBytes);
                case 'D' -> delete(buffer, maxValueBytes);
                case 'T' -> truncate(buffer);
                case 'M' -> message(buffer);
                default -> throw new PgOutputFormatException("unknown pgoutput message type '" + type + "' (0x"
                        + Integer.toHexString(type) + ")");
            };
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new PgOutputFormatException("pgoutput message '" + type + "' is truncated");
        }
    }

    public static Instant timestamp(long pgMicros) {
        long seconds = Math.floorDiv(pgMicros, 1_000_000L);
        long micros = Math.floorMod(pgMicros, 1_000_000L);
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + seconds, micros * 1_000L);
    }

    private static PgOutputMessage.Relation relation(ByteBuffer b) {
        int oid = b.getInt();
        String schema = string(b);
        String table = string(b);
        PgOutputMessage.ReplicaIdentity identity = PgOutputMessage.ReplicaIdentity.of((char) b.get());
        int count = Short.toUnsignedInt(b.getShort());
        List<PgOutputMessage.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            columns.add(new PgOutputMessage.Column((b.get() & 1) != 0, string(b), b.getInt(), b.getInt()));
        }
        return new PgOutputMessage.Relation(oid, schema.isEmpty() ? "pg_catalog" : schema, table, identity, List.copyOf(columns));
    }

    private static PgOutputMessage.Insert insert(ByteBuffer b, int max) {
        int oid = b.getInt();
        expect(b, 'N', "Insert");
        return new PgOutputMessage.Insert(oid, tuple(b, max));
    }

    private static PgOutputMessage.Update update(ByteBuffer b, int max) {
        int oid = b.getInt();
        char kind = (char) b.get();
        TupleData old = null;
        char oldKind = 0;
        if (kind == 'K' || kind == 'O') {
            oldKind = kind;
            old = tuple(b, max);
            kind = (char) b.get();
        }
        if (kind != 'N') {
            throw new PgOutputFormatException("Update: expected new tuple 'N', got '" + kind + "'");
        }
        return new PgOutputMessage.Update(oid, oldKind, old, tuple(b, max));
    }

    private static PgOutputMessage.Delete delete(ByteBuffer b, int max) {
        int oid = b.getInt();
        char kind = (char) b.get();
        if (kind != 'K' && kind != 'O') {
            throw new PgOutputFormatException("Delete: expected old tuple 'K' or 'O', got '" + kind + "'");
        }
        return new PgOutputMessage.Delete(oid, kind, tuple(b, max));
    }

    private static PgOutputMessage.Truncate truncate(ByteBuffer b) {
        int count = b.getInt();
        int options = b.get();
        List<Integer> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            oids.add(b.getInt());
        }
        return new PgOutputMessage.Truncate(List.copyOf(oids), (options & 1) != 0, (options & 2) != 0);
    }

    private static PgOutputMessage.LogicalMessage message(ByteBuffer b) {
        boolean transactional = (b.get() & 1) != 0;
        long lsn = b.getLong();
        String prefix = string(b);
        byte[] content = new byte[b.getInt()];
        b.get(content);
        return new PgOutputMessage.LogicalMessage(transactional, lsn, prefix, content);
    }

    private static TupleData tuple(ByteBuffer b, int max) {
        int count = Short.toUnsignedInt(b.getShort());
        List<TupleData.Value> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            char kind = (char) b.get();
            values.add(switch (kind) {
                case 'n' -> TupleData.NULL;
                case 'u' -> TupleData.UNCHANGED_TOAST;
                case 't' -> {
                    int length = b.getInt();
                    if (length > max) {
                        b.position(b.position() + length);
                        yield new TupleData.Oversized(length);
                    }
                    byte[] text = new byte[length];
                    b.get(text);
                    yield new TupleData.Text(new String(text, StandardCharsets.UTF_8));
                }
                case 'b' -> new TupleData.Binary(bytes(b));
                default -> throw new PgOutputFormatException("unknown tuple value kind '" + kind + "' in column " + i);
            });
        }
        return new TupleData(values);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] bytes = new byte[b.getInt()];
        b.get(bytes);
        return bytes;
    }

    private static void expect(ByteBuffer b, char wanted, String message) {
        char got = (char) b.get();
        if (got != wanted) {
            throw new PgOutputFormatException(message + ": expected '" + wanted + "', got '" + got + "'");
        }
    }

    /** A NUL-terminated UTF-8 string. */
    private static String string(ByteBuffer b) {
        int start = b.position();
        int end = start;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        b.get(bytes);
        b.get(); // the NUL
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
