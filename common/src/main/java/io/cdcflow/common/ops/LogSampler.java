package io.cdcflow.common.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps a flood of alike problems (a topic of records that cannot be read, say) out of the log: the first of each
 * reason is logged in full, with its coordinates; the later ones are counted and summed up once per interval. The
 * totals belong in {@code /metrics}. Thread-safe; time comes from the clock given, so it is testable.
 */
public final class LogSampler {
    private final Consumer<String> log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private final Map<String, Long> unlogged = new LinkedHashMap<>();
    private long lastSummary;

    public LogSampler(Consumer<String> log, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.lastSummary = nanoClock.getAsLong();
    }

    public LogSampler(Consumer<String> log) {
        this(log, Duration.ofMinutes(1), System::nanoTime);
    }

    /** One occurrence: {@code message} is logged if it is the first of its {@code reason}, else counted. */
    public synchronized void record(String reason, String message) {
        if (seen.putIfAbsent(reason, 1L) == null) {
            log.accept(message + " (more of this kind are counted and summed up every " + intervalNanos / 1_000_000_000L + " s)");
        } else {
            seen.merge(reason, 1L, Long::sum);
            unlogged.merge(reason, 1L, Long::sum);
        }
        long now = nanoClock.getAsLong();
        if (now - lastSummary >= intervalNanos) {
            summarize();
            lastSummary = now;
        }
    }

    private void summarize() {
        unlogged.forEach((reason, count) -> log.accept(count + " more of this kind since the last summary (" + seen.get(reason)
                + " in all): " + reason));
        unlogged.clear();
    }
}
