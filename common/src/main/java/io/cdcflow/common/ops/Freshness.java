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
    /** Per series, {newest commit time handled, wall time last handled}, in epoch milliseconds. */
    private final Map<String, long[]> series = new ConcurrentSkipListMap<>();

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
            List<Metrics.Sample> samples = new ArrayList<>(series.size() * 2);
            series.forEach((name, times) -> samples.add(new Metrics.Sample(lag, "Age of the newest change " + handled
                    + " (PostgreSQL commit time to now)", "gauge", Map.of(label, name), Math.max(0, now - times[0]) / 1000.0)));
            series.forEach((name, times) -> samples.add(new Metrics.Sample(idle, "Time since a change was last " + handled,
                    "gauge", Map.of(label, name), Math.max(0, now - times[1]) / 1000.0)));
            return samples;
        });
    }

    /** A change committed at {@code commitMillis} (epoch milliseconds) was handled now. */
    public void handled(String name, long commitMillis) {
        long now = clock.getAsLong();
        long[] times = series.computeIfAbsent(name, n -> new long[] {commitMillis, now});
        synchronized (times) {
            times[0] = Math.max(times[0], commitMillis);
            times[1] = now;
        }
    }
}
