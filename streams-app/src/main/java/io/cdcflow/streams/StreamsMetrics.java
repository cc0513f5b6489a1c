package io.cdcflow.streams;

import io.cdcflow.common.ops.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka Streams' own metrics (process rates, lag, thread and task state) as Prometheus gauges, without the state
 * stores' metrics.
 *
 * <p>The state stores' gauges read the stores' native RocksDB objects (KIP-892's
 * {@code approximate-num-uncommitted-bytes} reads the open write batch; RocksDB's property gauges such as
 * {@code estimate-num-keys} read the database), with nothing to stop the task from freeing them at the same time in a
 * rebalance or a shutdown. A scrape that lands then reads freed memory and the JVM dies (KAFKA-10025, unresolved; it
 * aborted a CI run here when a test read {@code /metrics} while the app shut down, and StreamsLifecycleIT reproduces it
 * by scraping without pause while the app starts and stops). The group's other metrics are debug-level, never recorded
 * at the default recording level, so nothing the dashboards read is lost.
 */
final class StreamsMetrics {
    /** Kafka Streams' group of the state stores' metrics, the RocksDB property gauges among them. */
    static final String STATE_STORE_GROUP = "stream-state-metrics";

    private StreamsMetrics() {
    }

    static List<Metrics.Sample> samples(Map<MetricName, ? extends Metric> metrics) {
        List<Map.Entry<MetricName, ? extends Metric>> entries = new ArrayList<>(metrics.entrySet());
        entries.removeIf(e -> e.getKey().group().equals(STATE_STORE_GROUP)); // before metricValue(): that is the read
        entries.sort(Comparator.comparing(e -> sampleName(e.getKey())));
        List<Metrics.Sample> samples = new ArrayList<>();
        for (Map.Entry<MetricName, ? extends Metric> e : entries) {
            Object value = e.getValue().metricValue();
            if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())) {
                continue;
            }
            MetricName n = e.getKey();
            Map<String, String> labels = new LinkedHashMap<>();
            n.tags().forEach((k, v) -> labels.put(k.replaceAll("[^A-Za-z0-9_]", "_"), v));
            samples.add(new Metrics.Sample(sampleName(n), n.description().isEmpty() ? n.name() : n.description(), "gauge",
                    labels, number.doubleValue()));
        }
        return samples;
    }

    private static String sampleName(MetricName n) {
        return ("kafka_" + n.group() + "_" + n.name()).replaceAll("[^A-Za-z0-9_]", "_");
    }
}
