package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StreamsMetricsTest {
    @Test
    void threadMetricsBecomeGaugesWithTheirTagsAsLabels() {
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        metrics.put(name("stream-thread-metrics", "process-rate", Map.of("thread-id", "app-1")), metric(() -> 12.5));
        metrics.put(name("stream-thread-metrics", "not-a-number", Map.of()), metric(() -> Double.NaN));
        metrics.put(name("stream-thread-metrics", "a-text", Map.of()), metric(() -> "RUNNING"));

        assertThat(StreamsMetrics.samples(metrics)).containsExactly(new Metrics.Sample(
                "kafka_stream_thread_metrics_process_rate", "process-rate", "gauge", Map.of("thread_id", "app-1"), 12.5));
    }

    @Test
    void theStateStoresRocksDbGaugesAreNeverRead() {
        AtomicInteger reads = new AtomicInteger();
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        metrics.put(name(StreamsMetrics.STATE_STORE_GROUP, "estimate-num-keys", Map.of("rocksdb-state-id", "orders-table")),
                metric(() -> {
                    reads.incrementAndGet(); // Kafka Streams' gauge reads the store's native database here
                    return 10L;
                }));
        metrics.put(name("stream-task-metrics", "process-total", Map.of("task-id", "0_0")), metric(() -> 3.0));

        assertThat(StreamsMetrics.samples(metrics)).extracting(Metrics.Sample::name)
                .containsExactly("kafka_stream_task_metrics_process_total");
        assertThat(reads).hasValue(0);
    }

    private static MetricName name(String group, String name, Map<String, String> tags) {
        return new MetricName(name, group, "", tags);
    }

    private static Metric metric(java.util.function.Supplier<Object> value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return null;
            }

            @Override
            public Object metricValue() {
                return value.get();
            }
        };
    }
}
