package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.Setting;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.catchThrowable;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private static final Setting<String> TOKEN = Setting.text("OP_HTTP_TOKEN", null, "token");
    private static final Setting<HttpAuth.Mode> AUTH = Setting.choice("OP_HTTP_AUTH", HttpAuth.Mode.TOKEN, HttpAuth.Mode.class, "auth");
    private static final Setting<String> CERT = Setting.text("OP_HTTP_TLS_CERT", null, "certificate");
    private static final Setting<String> KEY = Setting.text("OP_HTTP_TLS_KEY", null, "key");

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
    void dataEndpointsNeedTheBearerTokenAndAreRefusedWithoutOneUnlessTurnedOffExplicitly() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("OP_HTTP_TOKEN", "s3cret"), Map.of("OP_HTTP_AUTH", "none"))) {
            HttpAuth auth = HttpAuth.fromEnv(new Env(env), TOKEN, AUTH);
            try (OpsServer server = OpsServer.start(new HostPort("127.0.0.1", 0), new Metrics(), () -> Health.ready("up"), app -> {
                app.before("/op", auth::require);
                app.post("/op", ctx -> ctx.result("done"));
            })) {
                String url = "http://127.0.0.1:" + server.port() + "/op";
                HttpResponse<String> without = post(url, null);
                HttpResponse<String> wrong = post(url, "nope");
                HttpResponse<String> right = post(url, "s3cret");
                if (env.isEmpty()) {
                    assertThat(without.statusCode()).isEqualTo(403);
                    assertThat(right.statusCode()).isEqualTo(403);
                    assertThat(right.body()).contains("set OP_HTTP_TOKEN", "OP_HTTP_AUTH=none");
                    assertThat(auth.describe()).contains("disabled");
                } else if (auth.open()) {
                    assertThat(without.statusCode()).isEqualTo(200);
                    assertThat(auth.describe()).contains("open to anyone (OP_HTTP_AUTH=none)");
                } else {
                    assertThat(without.statusCode()).isEqualTo(401);
                    assertThat(wrong.statusCode()).isEqualTo(401);
                    assertThat(wrong.body()).contains("OP_HTTP_TOKEN");
                    assertThat(right.statusCode()).isEqualTo(200);
                    assertThat(right.body()).isEqualTo("done");
                    assertThat(auth.describe()).doesNotContain("s3cret");
                }
            }
        }
        assertThat(catchThrowable(() -> HttpAuth.fromEnv(new Env(Map.of("OP_HTTP_AUTH", "none", "OP_HTTP_TOKEN", "x")), TOKEN, AUTH)))
                .hasMessageContaining("unset one of them");
    }

    @Test
    void withACertificateAndKeyTheEndpointsAreServedOverHttpsOnly(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor()).as("openssl: %s", output).isZero();
        HttpTls tls = HttpTls.fromEnv(new Env(Map.of("OP_HTTP_TLS_CERT", cert.toString(), "OP_HTTP_TLS_KEY", key.toString())), CERT, KEY);
        try (OpsServer server = OpsServer.start(new HostPort("127.0.0.1", 0), tls, new Metrics(), () -> Health.ready("up"), app -> { })) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(tls.trustingClientContext()).build();
            HttpResponse<String> ping = trusting.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ping.body()).isEqualTo("pong");
            assertThat(catchThrowable(() -> get("http://127.0.0.1:" + server.port() + "/ping").statusCode()))
                    .as("no plain HTTP on the port").isNotNull();
            assertThat(catchThrowable(() -> get("https://localhost:" + server.port() + "/ping")))
                    .as("a client that does not trust the certificate").isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
        assertThat(catchThrowable(() -> HttpTls.fromEnv(new Env(Map.of("OP_HTTP_TLS_CERT", cert.toString())), CERT, KEY)))
                .hasMessageContaining("needs both OP_HTTP_TLS_CERT").hasMessageContaining("OP_HTTP_TLS_KEY");
        assertThat(catchThrowable(() -> HttpTls.fromEnv(new Env(Map.of("OP_HTTP_TLS_CERT", key.toString(), "OP_HTTP_TLS_KEY", key.toString())), CERT, KEY)))
                .hasMessageContaining(key.toString());
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
