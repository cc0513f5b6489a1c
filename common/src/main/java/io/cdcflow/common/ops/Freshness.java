package io.cdcflow.common.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * How far behind PostgreSQL a stage is, per table or fact, in seconds: {@code <prefix>_lag_seconds} is the age of the
 * newest change the stage has fully handled (its PostgreSQL commit time to now), {@code <prefix>_idle_seconds} the
 * time since it last handled anything. A lag that grows while the stage is idle is an idle source, not a stuck
 * stage; a lag that grows while changes wait for it (consumer lag, slot lag) is a stage behind.
 */
public final class Freshness {
    private final LongSupplier clock;
    private final Map<String, Series> series = new ConcurrentSkipListMap<>();

    /** One table's or fact's times, to report to without a lookup each time (hot paths). */
    public final class Series {
        /** The newest commit time handled (-1 before the first) and when the last was handled, in epoch milliseconds. */
        private long newestCommit = -1;
        private long lastHandled;

        /** A change committed at {@code commitMillis} (epoch milliseconds) was handled now. */
        public void handled(long commitMillis) {
            long now = clock.getAsLong();
            synchronized (this) {
                newestCommit = Math.max(newestCommit, commitMillis);
                lastHandled = now;
            }
        }

        /** {lag, idle} in milliseconds, or null before the first change handled. */
        private synchronized long[] millis(long now) {
            return newestCommit < 0 ? null : new long[] {Math.max(0, now - newestCommit), Math.max(0, now - lastHandled)};
        }
    }

    /**
     * @param prefix  the metric names' prefix ({@code writer} gives {@code writer_lag_seconds})
     * @param handled what "handled" means for this stage, for the metrics' help
     * @param label   the label naming the series ({@code table}, {@code fact})
     */
    public Freshness(Metrics metrics, String prefix, String handled, String label) {
        this(metrics, prefix, handled, label, System::currentTimeMillis);
    }

    public Freshness(Metrics metrics, String prefix, String handled, String label, LongSupplier clock) {
        this.clock = clock;
        String lag = prefix + "_lag_seconds";
        String idle = prefix + "_idle_seconds";
        metrics.collector(lag, () -> {
            long now = clock.getAsLong();
            Map<String, long[]> shown = new java.util.LinkedHashMap<>();
            series.forEach((name, times) -> {
                long[] millis = times.millis(now);
                if (millis != null) {
                    shown.put(name, millis);
                }
            });
            List<Metrics.Sample> samples = new ArrayList<>(shown.size() * 2);
            shown.forEach((name, millis) -> samples.add(new Metrics.Sample(lag, "Age of the newest change " + handled
                    + " (PostgreSQL commit time to now)", "gauge", Map.of(label, name), millis[0] / 1000.0)));
            shown.forEach((name, millis) -> samples.add(new Metrics.Sample(idle, "Time since a change was last " + handled,
                    "gauge", Map.of(label, name), millis[1] / 1000.0)));
            return samples;
        });
    }

    /** The series of {@code name}; it shows in the metrics once a change was handled. */
    public Series series(String name) {
        return series.computeIfAbsent(name, n -> new Series());
    }

    /** A change committed at {@code commitMillis} (epoch milliseconds) was handled now. */
    public void handled(String name, long commitMillis) {
        series(name).handled(commitMillis);
    }
}
