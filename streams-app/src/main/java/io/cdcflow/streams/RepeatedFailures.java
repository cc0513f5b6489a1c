package io.cdcflow.streams;

import java.time.Duration;

/**
 * The pause before retrying after a failure: {@code first}, doubling up to {@code max} while the same failure
 * repeats, back to {@code first} when a different one comes. Counts the repeats, so a log can say "again, N times"
 * instead of repeating a stack trace. Thread-safe.
 */
final class RepeatedFailures {
    private final Duration first;
    private final Duration max;
    private String last;
    private int repeats;
    private Duration pause;

    RepeatedFailures(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** Records a failure; returns the pause before the next try. */
    synchronized Duration next(String failure) {
        if (failure.equals(last)) {
            repeats++;
            pause = pause.multipliedBy(2).compareTo(max) > 0 ? max : pause.multipliedBy(2);
        } else {
            last = failure;
            repeats = 1;
            pause = first;
        }
        return pause;
    }

    /** How many times in a row the last failure came. */
    synchronized int repeats() {
        return repeats;
    }
}
