package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.LocalImages;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.ServiceUnavailableException;
import io.cdcflow.testsupport.Waiting;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/docker-compose.yaml} run as a whole with podman-compose, as a user runs it: the deployables' images
 * from their Dockerfiles, PostgreSQL, Kafka, ClickHouse and Prometheus from local stand-ins for the public images
 * ({@link LocalImages#service}: Debian's packages with the public images' conventions), the demo workload. Once the
 * workload stops and the pipeline drains, each of the default facts' views in PostgreSQL equals its current view in
 * ClickHouse, and Prometheus scrapes the three deployables. (Grafana has no Debian package: it is the one service
 * not started.)
 */
class ComposeIT {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> DEPLOYABLES = List.of("wal-producer", "streams-app", "clickhouse-writer");
    private static final List<String> SERVICES = List.of("postgres", "kafka", "clickhouse", "wal-producer", "streams-app",
            "clickhouse-writer", "prometheus", "demo-workload");
    /** The host ports the compose file publishes for these services. */
    private static final List<Integer> PORTS = List.of(5432, 8123, 4195, 8081, 8082, 9090);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String project = "cdcflow" + Long.toHexString(System.nanoTime() & 0xffffff);

    @Test
    void theComposeFileRunsThePipelineToTheInvariant() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        try {
            for (String deployable : DEPLOYABLES) {
                String built = LocalImages.build(REPOSITORY, deployable);
                // the name the compose file gives the image its build makes
                assertThat(LocalImages.podman("tag", built, "localhost/cdcflow/" + deployable + ":latest").ok()).isTrue();
            }
            for (String service : List.of("postgres", "kafka", "clickhouse", "prometheus")) {
                env.put("CDCFLOW_" + service.toUpperCase(java.util.Locale.ROOT) + "_IMAGE", LocalImages.service(service));
            }
        } catch (ServiceUnavailableException e) {
            throw RealServices.unavailable(e);
        }
        for (int port : PORTS) {
            try (ServerSocket probe = new ServerSocket(port)) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException e) {
                throw new AssertionError("port " + port + " is taken on this host: the compose file publishes it", e);
            }
        }
        Path log = REPOSITORY.resolve("e2e").resolve("target").resolve("compose-" + project + ".log");
        try {
            List<String> up = new ArrayList<>(List.of("up", "-d", "--no-build"));
            up.addAll(SERVICES);
            compose(env, log, up);
            for (String deployable : DEPLOYABLES) {
                String container = project + "_" + deployable + "_1";
                assertThat(Waiting.until(Duration.ofMinutes(3), Duration.ofSeconds(2), () -> LocalImages.podman("healthcheck", "run", container).ok()))
                        .as("%s's healthcheck reports healthy (compose log %s; podman logs %s)", deployable, log, container).isTrue();
            }
            PostgresEndpoint db = new PostgresEndpoint("127.0.0.1", 5432, "app_db", "postgres", "postgres");
            ClickHouseEndpoint ch = new ClickHouseEndpoint("http://127.0.0.1:8123", "default", "clickhouse");
            // the demo workload changes every table for a while, then stops
            Thread.sleep(20_000);
            compose(env, log, List.of("stop", "demo-workload"));
            String facts = FactsFile.defaultSql();
            db.execute(facts);
            for (FactsFile.View view : FactsFile.parse(facts, "facts").views()) {
                FactViews.assertEqual(db, ch, view.name(), "cdc." + view.name(), "podman logs " + project + "_<service>_1; " + log);
            }
            // Prometheus, with the shipped configuration and rules, scrapes the three deployables
            assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofSeconds(2), () -> upTargets().size() == 3))
                    .as("Prometheus's targets up: %s", upTargets()).isTrue();
        } finally {
            compose(env, log, List.of("down"));
        }
    }

    /** The jobs Prometheus reports up. */
    private static List<String> upTargets() {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9090/api/v1/query?query=up%3D%3D1"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            List<String> jobs = new ArrayList<>();
            io.cdcflow.common.json.Json.read(body).path("data").path("result")
                    .forEach(r -> jobs.add(r.path("metric").path("job").asText()));
            return jobs;
        } catch (Exception e) {
            return List.of();
        }
    }

    private void compose(Map<String, String> env, Path log, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman-compose", "--podman-args", "--runtime runc --cgroup-manager cgroupfs",
                "--podman-run-args", String.join(" ", LocalImages.LIMITS), "-p", project, "-f",
                REPOSITORY.resolve("docker").resolve("docker-compose.yaml").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Files.createDirectories(log.getParent());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("podman-compose " + args + " did not end within 5 minutes (log " + log + ")");
        }
        if (process.exitValue() != 0 && !args.get(0).equals("down")) {
            throw new AssertionError("podman-compose " + args + " failed (exit " + process.exitValue() + ", log " + log + "):\n"
                    + Files.readString(log));
        }
    }
}
