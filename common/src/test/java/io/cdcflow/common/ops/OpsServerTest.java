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

    @Test
    void aBearerTokenGuardsOperatorEndpointsWhichAreOffWithoutOne() throws Exception {
        for (String token : new String[] {null, "s3cret"}) {
            try (OpsServer server = OpsServer.start(new HostPort("127.0.0.1", 0), new Metrics(), () -> Health.ready("up"), app -> {
                app.before("/op", ctx -> OpsServer.requireBearer(ctx, token, "OP_TOKEN"));
                app.post("/op", ctx -> ctx.result("done"));
            })) {
                String url = "http://127.0.0.1:" + server.port() + "/op";
                HttpResponse<String> without = post(url, null);
                HttpResponse<String> wrong = post(url, "nope");
                HttpResponse<String> right = post(url, "s3cret");
                if (token == null) {
                    assertThat(right.statusCode()).isEqualTo(403);
                    assertThat(right.body()).contains("set OP_TOKEN to enable it");
                } else {
                    assertThat(without.statusCode()).isEqualTo(401);
                    assertThat(wrong.statusCode()).isEqualTo(401);
                    assertThat(wrong.body()).contains("OP_TOKEN");
                    assertThat(right.statusCode()).isEqualTo(200);
                    assertThat(right.body()).isEqualTo("done");
                }
            }
        }
    }

    private HttpResponse<String> post(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
