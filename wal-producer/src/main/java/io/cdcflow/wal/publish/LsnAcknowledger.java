package io.cdcflow.wal.publish;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides which LSN may be confirmed to PostgreSQL: the end of the newest transaction such that it and every
 * transaction before it were committed and all their events acknowledged by Kafka. Acknowledging by transaction, not
 * by event LSN, matters: many changes can share one LSN (multi-row inserts, COPY), and confirming that LSN after only
 * some of them were acknowledged would lose the rest on a restart.
 *
 * <p>The replication thread calls {@link #begin}, {@link #sent}, {@link #committed}; Kafka's I/O thread calls
 * {@link #acked} and {@link #failed}.
 */
public final class LsnAcknowledger {
    private final Deque<Transaction> open = new ArrayDeque<>();
    private long confirmed;
    private long acks;
    private long unacknowledged;
    private Exception failure;

    /** One source transaction in flight. */
    public static final class Transaction {
        private int outstanding;
        private boolean committed;
        private long endLsn;
    }

    public LsnAcknowledger(long startLsn) {
        this.confirmed = startLsn;
    }

    public synchronized Transaction begin() {
        Transaction t = new Transaction();
        open.addLast(t);
        return t;
    }

    public synchronized void sent(Transaction t) {
        t.outstanding++;
        unacknowledged++;
    }

    public synchronized void acked(Transaction t) {
        t.outstanding--;
        unacknowledged--;
        acks++;
        advance();
    }

    /** Acknowledgements received so far: Kafka is making progress while this grows. */
    public synchronized long acks() {
        return acks;
    }

    /** Events sent and not acknowledged yet (a transaction still open upstream waits for its commit, not for Kafka). */
    public synchronized long unacknowledged() {
        return unacknowledged;
    }

    public synchronized void committed(Transaction t, long endLsn) {
        t.committed = true;
        t.endLsn = endLsn;
        advance();
    }

    public synchronized void failed(Exception e) {
        if (failure == null) {
            failure = e;
        }
    }

    /** The first delivery failure, if any: the session must stop and resume from {@link #confirmed()}. */
    public synchronized Exception failure() {
        return failure;
    }

    public synchronized long confirmed() {
        return confirmed;
    }

    /**
     * With nothing in flight, everything the server sent up to {@code serverLsn} is handled: confirm it, so the slot
     * advances while the published tables are idle and other tables write (no WAL bloat).
     */
    public synchronized void idleAt(long serverLsn) {
        if (open.isEmpty() && failure == null && Long.compareUnsigned(serverLsn, confirmed) > 0) {
            confirmed = serverLsn;
        }
    }

    public synchronized int inFlight() {
        return open.size();
    }

    private void advance() {
        while (!open.isEmpty() && open.peekFirst().committed && open.peekFirst().outstanding == 0 && failure == null) {
            Transaction done = open.removeFirst();
            if (Long.compareUnsigned(done.endLsn, confirmed) > 0) {
                confirmed = done.endLsn;
            }
        }
    }
}
