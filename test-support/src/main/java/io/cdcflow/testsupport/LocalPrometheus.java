package io.cdcflow.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Prometheus from Debian's {@code prometheus} package, on a port of its own on loopback, scraping the given jobs every
 * second and evaluating the given rule file every second: the real thing the shipped rules and dashboard are tested
 * against. {@link #query} and {@link #firing} read its HTTP API.
 */
public final class LocalPrometheus implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int port;
    private final ManagedProcess server;

    private LocalPrometheus(Path dir, int port, ManagedProcess server) {
        this.dir = dir;
        this.port = port;
        this.server = server;
    }

    /**
     * @param jobs  job name to the {@code host:port} it scrapes
     * @param rules the rule file's text
     */
    public static LocalPrometheus start(Map<String, String> jobs, String rules) {
        if (!Files.isExecutable(BINARY)) {
            throw new ServiceUnavailableException("Prometheus", new IOException("no " + BINARY + ": install it with apt-get install -y prometheus"));
        }
        try {
            Path dir = Files.createTempDirectory("cdcflow-prometheus-");
            int port = Ports.free();
            StringBuilder config = new StringBuilder("""
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    rule_files: [rules.yml]
                    scrape_configs:
                    """);
            jobs.forEach((job, target) -> config.append("  - job_name: ").append(job)
                    .append("\n    static_configs: [{targets: [\"").append(target).append("\"]}]\n"));
            Files.writeString(dir.resolve("prometheus.yml"), config);
            Files.writeString(dir.resolve("rules.yml"), rules);
            ManagedProcess server = ManagedProcess.start("Prometheus", List.of(BINARY.toString(),
                    "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"), dir.resolve("prometheus.log"), "TERM");
            LocalPrometheus prometheus = new LocalPrometheus(dir, port, server);
            if (!Waiting.forPing(server, prometheus.url("/-/ready"), Duration.ofSeconds(60))) {
                String report = server.failureReport();
                prometheus.close();
                throw new IOException("Prometheus did not answer on port " + port + " within 60 s: " + report);
            }
            return prometheus;
        } catch (IOException e) {
            throw new ServiceUnavailableException("Prometheus", e);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The result of an instant query ({@code data.result}); fails on a query Prometheus refuses. */
    public JsonNode query(String promql) {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus refused " + promql + ": " + answer);
        }
        return answer.get("data").get("result");
    }

    /** The names of the alerts firing now. */
    public List<String> firing() {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        get("/api/v1/alerts").get("data").get("alerts").forEach(alert -> {
            if ("firing".equals(alert.path("state").asText())) {
                names.add(alert.get("labels").get("alertname").asText());
            }
        });
        return names;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(20));
        Cleanup.deleteTree(dir);
    }
}
