package io.cdcflow.common.ops;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a retry waits: {@code first} after the first failure, twice the last pause after each further failure in a
 * row, never more than {@code max}. One rule for every retry loop of the pipeline (the wal-producer's sessions, the
 * streams-app's replaced threads, the writer's inserts and connections), so they back off alike. Immutable.
 */
public record Backoff(Duration first, Duration max) {

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero()) {
            throw new IllegalArgumentException("a backoff's first pause must be positive, not " + first);
        }
        if (max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a backoff's longest pause (" + max + ") is shorter than its first (" + first + ")");
        }
    }

    /** The pause after {@code last} when the failure comes again: twice it, at most {@link #max}. */
    public Duration after(Duration last) {
        Duration doubled = last.multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }
}
