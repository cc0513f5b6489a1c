package io.cdcflow.streams;

import io.cdcflow.common.ops.Backoff;
import java.time.Duration;

/**
 * The pause before retrying after a failure: the backoff's first, doubling up to its longest while the same failure
 * repeats, back to the first when a different one comes. Counts the repeats, so a log can say "again, N times"
 * instead of repeating a stack trace. Thread-safe.
 */
final class RepeatedFailures {
    private final Backoff backoff;
    private String last;
    private int repeats;
    private Duration pause;

    RepeatedFailures(Backoff backoff) {
        this.backoff = backoff;
    }

    /** Records a failure; returns the pause before the next try. */
    synchronized Duration next(String failure) {
        if (failure.equals(last)) {
            repeats++;
            pause = backoff.after(pause);
        } else {
            last = failure;
            repeats = 1;
            pause = backoff.first();
        }
        return pause;
    }

    /** How many times in a row the last failure came. */
    synchronized int repeats() {
        return repeats;
    }
}
