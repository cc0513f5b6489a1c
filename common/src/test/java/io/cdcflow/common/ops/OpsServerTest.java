package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesPingReadyAndMetrics() throws Exception {
        Metrics metrics = new Metrics();
        metrics.counter("things_total", "Things").inc();
        AtomicReference<Health> health = new AtomicReference<>(Health.notReady("connecting to PostgreSQL"));
        try (OpsServer server = OpsServer.start(new HostPort("127.0.0.1", 0), metrics, health::get, app -> { })) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(base + "/ping").body()).isEqualTo("pong");

            HttpResponse<String> notReady = get(base + "/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("connecting to PostgreSQL");

            health.set(Health.ready("streaming"));
            assertThat(get(base + "/ready").statusCode()).isEqualTo(200);
            assertThat(get(base + "/metrics").body()).contains("things_total 1");
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
