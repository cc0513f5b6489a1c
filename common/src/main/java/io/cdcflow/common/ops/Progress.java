package io.cdcflow.common.ops;

/**
 * One long piece of work's progress, read by another thread (metrics, a log line): how much is done, of how much
 * (-1 while unknown), the rate since it was first seen and the time left at that rate. Times are nanoseconds from
 * one clock, passed in, so that a test needs no sleep.
 */
public final class Progress {
    private final long since;
    private final long doneSince;
    private volatile long done;
    private volatile long total = -1;
    private volatile long finished = -1;

    /** Work first seen at {@code now} with {@code done} of it already done (what a restart finds): the rate counts from there. */
    public Progress(long now, long done) {
        this.since = now;
        this.doneSince = done;
        this.done = done;
    }

    /** How much is done now, of how much ({@code -1}: not known yet). */
    public void update(long done, long total) {
        this.done = done;
        this.total = total;
    }

    /** The work ended at {@code now}: its rate stops there and nothing is left. */
    public void finish(long now) {
        finished = now;
    }

    public boolean finished() {
        return finished >= 0;
    }

    public long done() {
        return done;
    }

    public long total() {
        return total;
    }

    /** Done of the total in whole per cent (100 for an empty total); meaningless while the total is unknown. */
    public long percent() {
        long t = total;
        return t == 0 ? 100 : done * 100 / t;
    }

    /** Per second since the work was first seen, until it finished. */
    public double rate(long now) {
        long end = finished >= 0 ? finished : now;
        return (done - doneSince) / Math.max((end - since) / 1e9, 0.001);
    }

    /** Seconds since the work was first seen, until it finished. */
    public double seconds(long now) {
        return ((finished >= 0 ? finished : now) - since) / 1e9;
    }

    /** Seconds left at the rate so far: 0 once finished, -1 while the total or a rate is unknown. */
    public double remaining(long now) {
        if (finished >= 0) {
            return 0;
        }
        double rate = rate(now);
        return total < 0 || rate <= 0 ? -1 : Math.max(total - done, 0) / rate;
    }
}
