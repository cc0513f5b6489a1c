package io.cdcflow.wal;

import io.cdcflow.common.ops.Backoff;
import java.time.Duration;

/**
 * The pause before the wal-producer's next session after one ended in failure: 1 s doubling to 30 s while sessions
 * keep failing, back to 1 s after a session that ran long enough to have been healthy (a minute), and 1 s always for a
 * standby whose slot another wal-producer holds (it keeps asking, at a steady pace, to take over as soon as it is
 * free). Pure: the caller measures how long the session ran and does the waiting.
 */
final class SessionRetries {
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private Duration next = BACKOFF.first();

    /** A session failed after running for {@code ran}; {@code standby}: its slot was busy. Returns the pause before the next. */
    Duration failed(Duration ran, boolean standby) {
        if (standby || ran.compareTo(HEALTHY_RUN) > 0) {
            next = BACKOFF.first();
        }
        Duration pause = next;
        next = BACKOFF.after(next);
        return pause;
    }
}
