package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalPrometheus;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.ServiceUnavailableException;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped monitoring against the real thing: a Prometheus (Debian's package) scrapes the three deployables while
 * changes flow; the shipped rules pass {@code promtool check rules}; every query of the shipped dashboard returns
 * series; nothing fires while the pipeline keeps up; stopping the writer fires the writer's "behind" alert through
 * Prometheus's own API, and restarting it resolves the alert. README's metrics lists are checked against /metrics.
 */
@ExtendWith(RealServices.class)
class PrometheusIT {
    private static final Path MONITORING = Path.of("..", "monitoring");
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void theShippedRulesFireAndResolveAndTheDashboardsQueriesReturnSeries(PostgresEndpoint server, KafkaEndpoint kafka,
                                                                          ClickHouseEndpoint ch) throws Exception {
        Process check = new ProcessBuilder("promtool", "check", "rules", MONITORING.resolve("cdcflow-rules.yml").toString())
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as(checked).isZero();

        PostgresEndpoint db = server.createDatabase("e2e_prometheus");
        DemoWorkload workload = new DemoWorkload(db, 5);
        workload.createSchema();
        workload.seed();
        // the same rules, waiting seconds instead of minutes before an alert fires
        String rules = Files.readString(MONITORING.resolve("cdcflow-rules.yml")).replace("for: 2m", "for: 5s");
        AtomicBoolean changing = new AtomicBoolean(true);
        try (Pipeline pipeline = new Pipeline(db, kafka, ch)) {
            pipeline.startAll();
            pipeline.awaitReady();
            LocalPrometheus prometheus;
            try {
                prometheus = LocalPrometheus.start(Map.of("wal-producer", pipeline.walProducer.address(),
                        "streams-app", pipeline.streamsApp.address(), "clickhouse-writer", pipeline.writer.address()), rules);
            } catch (ServiceUnavailableException e) {
                throw RealServices.unavailable(e);
            }
            Thread changes = new Thread(() -> {
                while (changing.get()) {
                    workload.run(5);
                    Waiting.sleep(200);
                }
            }, "workload");
            changes.start();
            try (prometheus) {
                for (String stage : List.of("cdc", "streams", "writer")) {
                    assertThat(Waiting.until(WAIT, Duration.ofMillis(500), () -> prometheus.query(stage + "_lag_seconds").size() > 0))
                            .as("%s_lag_seconds scraped", stage).isTrue();
                }
                readmeListsEveryMetric(pipeline);
                for (String expr : dashboardQueries()) {
                    assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(500), () -> prometheus.query(expr).size() > 0))
                            .as("the dashboard's %s returns series", expr).isTrue();
                }
                Waiting.sleep(8_000); // longer than the shortened "for"
                assertThat(prometheus.firing()).as("nothing fires while the pipeline keeps up").isEmpty();

                pipeline.writer.close();
                assertThat(Waiting.until(WAIT, Duration.ofSeconds(1), () -> prometheus.firing().contains("CdcflowWriterBehind")))
                        .as("the writer is stopped while changes arrive").isTrue();
                assertThat(prometheus.firing()).doesNotContain("CdcflowStreamsBehind", "CdcflowWalProducerBehind");

                pipeline.writer.start();
                pipeline.writer.awaitReady();
                assertThat(Waiting.until(WAIT, Duration.ofSeconds(1), () -> !prometheus.firing().contains("CdcflowWriterBehind")))
                        .as("the alert resolves once the writer is back").isTrue();
            } finally {
                changing.set(false);
                changes.join(30_000);
            }
        }
    }

    /** Each deployable's /metrics names exactly the metrics README's list for it names (Kafka's own kafka_* aside). */
    private static void readmeListsEveryMetric(Pipeline pipeline) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Map<String, Deployable> deployables = Map.of("wal-producer", pipeline.walProducer, "streams-app", pipeline.streamsApp,
                "clickhouse-writer", pipeline.writer);
        Map<String, Set<String>> listed = new java.util.TreeMap<>();
        Map<String, Set<String>> served = new java.util.TreeMap<>();
        for (Map.Entry<String, Deployable> d : deployables.entrySet()) {
            listed.put(d.getKey(), readmeList(readme, d.getKey()));
            Set<String> names = new TreeSet<>();
            for (String line : d.getValue().get("/metrics").split("\n")) {
                String name = line.startsWith("# TYPE ") ? line.split(" ")[2] : line.startsWith("#") || line.isBlank() ? null
                        : line.split("[{ ]")[0];
                if (name != null && !name.startsWith("kafka_")) {
                    names.add(name);
                }
            }
            served.put(d.getKey(), names);
        }
        assertThat(served).as("each deployable's /metrics against README's list").isEqualTo(listed);
    }

    /** The metric names README's {@code ### <deployable>} section lists after "`/metrics`:", or none. */
    static Set<String> readmeList(String readme, String deployable) {
        int section = readme.indexOf("\n### " + deployable + "\n");
        assertThat(section).as("README has a section ### %s", deployable).isPositive();
        int start = readme.indexOf("\n`/metrics`:", section);
        int next = java.util.stream.IntStream.of(readme.indexOf("\n### ", section + 5), readme.indexOf("\n## ", section + 5), readme.length())
                .filter(i -> i > 0).min().getAsInt();
        if (start < 0 || start > next) {
            return Set.of();
        }
        String list = readme.substring(start, readme.indexOf("\n\n", start));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("`((?:cdc|streams|writer|cdcflow)_[a-z0-9_]*)(\\{[^}`]*})?`").matcher(list);
        while (m.find()) {
            if (!m.group(1).startsWith("kafka_")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static List<String> dashboardQueries() throws Exception {
        JsonNode dashboard = Json.read(Files.readString(MONITORING.resolve("grafana/dashboards/cdcflow.json")));
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(target -> exprs.add(target.get("expr").asText())));
        assertThat(exprs).hasSizeGreaterThan(10);
        return exprs;
    }
}
