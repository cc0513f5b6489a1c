package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void rendersPrometheusText() {
        Metrics metrics = new Metrics();
        Metrics.Counter events = metrics.counter("cdc_events_total", "Change events published", "table", "operation");
        events.inc("orders", "insert");
        events.add(2, "orders", "update");
        metrics.gauge("cdc_last_acked_lsn", "Last LSN acknowledged", () -> 4096);
        metrics.collector(() -> List.of(new Metrics.Sample("kafka_lag", "Lag", "gauge", Map.of("topic", "a\"b"), 1.5)));

        assertThat(metrics.scrape()).isEqualTo("""
                # HELP cdc_events_total Change events published
                # TYPE cdc_events_total counter
                cdc_events_total{table="orders",operation="insert"} 1
                cdc_events_total{table="orders",operation="update"} 2
                # HELP cdc_last_acked_lsn Last LSN acknowledged
                # TYPE cdc_last_acked_lsn gauge
                cdc_last_acked_lsn 4096
                # HELP kafka_lag Lag
                # TYPE kafka_lag gauge
                kafka_lag{topic="a\\"b"} 1.5
                """);
        assertThat(events.get("orders", "update")).isEqualTo(2);
        assertThat(metrics.counter("cdc_events_total", "Change events published", "table", "operation")).isSameAs(events);
        assertThat(events.total()).isEqualTo(3);
    }

    @Test
    void aGaugeRegisteredAgainReportsTheNewSource() {
        Metrics metrics = new Metrics();
        metrics.gauge("cdc_last_acked_lsn", "Last LSN acknowledged", () -> 1);
        metrics.gauge("cdc_last_acked_lsn", "Last LSN acknowledged", () -> 2);
        assertThat(metrics.scrape()).contains("cdc_last_acked_lsn 2\n").doesNotContain("cdc_last_acked_lsn 1\n");
    }
}
