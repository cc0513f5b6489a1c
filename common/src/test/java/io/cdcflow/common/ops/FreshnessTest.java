package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Metrics metrics = new Metrics();

    @Test
    void lagIsTheAgeOfTheNewestChangeHandledAndIdleTheTimeSinceTheLastOne() {
        Freshness freshness = new Freshness(metrics, "writer", "confirmed by ClickHouse", "table", now::get);
        freshness.handled("orders", 990_000);
        freshness.handled("orders", 980_000); // an older change handled later: the newest counts
        now.addAndGet(5_000);
        assertThat(metrics.scrape()).contains(
                "# TYPE writer_lag_seconds gauge",
                "writer_lag_seconds{table=\"orders\"} 15",
                "writer_idle_seconds{table=\"orders\"} 5");
    }

    @Test
    void aRebuiltComponentReplacesItsSeriesInsteadOfRepeatingThem() {
        new Freshness(metrics, "streams", "handled", "fact", now::get).handled("a", now.get());
        new Freshness(metrics, "streams", "handled", "fact", now::get).handled("b", now.get());
        String scrape = metrics.scrape();
        assertThat(scrape).contains("streams_lag_seconds{fact=\"b\"}").doesNotContain("fact=\"a\"");
        assertThat(scrape.split("# TYPE streams_lag_seconds", -1)).hasSize(2);
    }

    @Test
    void aSeriesTakenAheadShowsOnlyOnceAChangeWasHandled() {
        Freshness freshness = new Freshness(metrics, "cdc", "acknowledged by Kafka", "table", now::get);
        Freshness.Series orders = freshness.series("public.orders");
        assertThat(metrics.scrape()).doesNotContain("public.orders");
        orders.handled(now.get() - 2_000);
        assertThat(metrics.scrape()).contains("cdc_lag_seconds{table=\"public.orders\"} 2", "cdc_idle_seconds{table=\"public.orders\"} 0");
    }
}
