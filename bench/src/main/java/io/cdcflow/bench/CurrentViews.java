package io.cdcflow.bench;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether every {@code <view>_current} in a ClickHouse database holds its expected rows, asked often enough to stop a
 * clock within a fraction of a second yet without making ClickHouse the measurement's largest consumer of CPU.
 *
 * <p>A {@code _current} view reads its table with {@code FINAL}: counting it merges every version of every key. Asked
 * every 20 ms through a backfill, it took ClickHouse about 14 of its 26 CPU s, beside the pipeline being measured on
 * two cores (bench/README, twelfth session). So a view's table is counted first ({@code count()} without
 * {@code FINAL} reads the parts' row counts, nearly free): while it holds fewer rows than expected the view cannot be
 * complete. Only then is the view counted, and not again before five times that count's own duration has passed (at
 * most a fifth of one core). A view found complete is not asked again: in a backfill nothing changes it after.
 */
final class CurrentViews {
    private final com.clickhouse.client.api.Client client;
    private final String database;
    private final Map<String, Long> expected;
    private final Set<String> complete = new HashSet<>();
    private long nextFinalCount;
    private long finalCounts;
    private long finalCountNanos;

    /** @param expected each view's rows when complete, by table name ({@code order_fact}: {@code order_fact_current}) */
    CurrentViews(com.clickhouse.client.api.Client client, String database, Map<String, Long> expected) {
        this.client = client;
        this.database = database;
        this.expected = expected;
    }

    boolean complete() {
        for (Map.Entry<String, Long> view : expected.entrySet()) {
            if (complete.contains(view.getKey())) {
                continue;
            }
            if (WriterBench.count(client, database + "." + view.getKey()) < view.getValue() || System.nanoTime() < nextFinalCount) {
                return false;
            }
            long started = System.nanoTime();
            long rows = WriterBench.count(client, database + "." + view.getKey() + "_current");
            long took = System.nanoTime() - started;
            finalCounts++;
            finalCountNanos += took;
            if (rows != view.getValue()) {
                nextFinalCount = System.nanoTime() + 5 * took;
                return false;
            }
            complete.add(view.getKey());
        }
        return true;
    }

    /** How often the views were counted with FINAL, and the time that took: the measurement's own load on ClickHouse. */
    String finalCounts() {
        return String.format(java.util.Locale.ROOT, "%d counts of a _current view, %.1f s", finalCounts, finalCountNanos / 1e9);
    }
}
