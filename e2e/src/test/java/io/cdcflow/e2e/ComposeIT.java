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
 * ClickHouse, and Prometheus scrapes the three deployables; the same with {@code docker-compose.cluster.yaml} laid over
 * it, on two shards. (Grafana has no Debian package: it is the one service not started.)
 */
class ComposeIT {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A project of its own per test: container names never meet an earlier run's. */
    private final String project = "cdcflow" + Long.toHexString(System.nanoTime() & 0xffffff);

    @Test
    void theComposeFileRunsThePipelineToTheInvariant() throws Exception {
        Map<String, String> env = images(List.of("postgres", "kafka", "clickhouse", "prometheus"));
        List<String> files = List.of("docker-compose.yaml");
        try {
            up(env, files, List.of("postgres", "kafka", "clickhouse", "wal-producer", "streams-app", "clickhouse-writer",
                    "prometheus", "demo-workload"), List.of(5432, 8123, 4195, 8081, 8082, 9090));
            assertInvariant(env, files);
            // Prometheus, with the shipped configuration and rules, scrapes the three deployables
            assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofSeconds(2), () -> upTargets().size() == 3))
                    .as("Prometheus's targets up: %s", upTargets()).isTrue();
        } finally {
            compose(env, files, List.of("down"));
        }
    }

    /** The cluster variant: two shards with ZooKeeper, the facts through Distributed tables onto both. */
    @Test
    void theClusterVariantRunsThePipelineToTheInvariantOnTwoShards() throws Exception {
        Map<String, String> env = images(List.of("postgres", "kafka", "clickhouse", "zookeeper"));
        List<String> files = List.of("docker-compose.yaml", "docker-compose.cluster.yaml");
        try {
            up(env, files, List.of("zookeeper", "postgres", "kafka", "clickhouse", "clickhouse-2", "wal-producer", "streams-app",
                    "clickhouse-writer", "demo-workload"), List.of(5432, 8123, 8124, 4195, 8081, 8082));
            assertInvariant(env, files);
            for (String server : List.of("http://127.0.0.1:8123", "http://127.0.0.1:8124")) {
                ClickHouseEndpoint shard = new ClickHouseEndpoint(server, "default", "clickhouse");
                long rows = Long.parseLong(io.cdcflow.common.json.Json.read(shard.query("SELECT count() AS n FROM cdc.order_item_fact_shard")
                        .get(0)).get("n").asText());
                assertThat(rows).as("order item facts on the shard of %s", server).isPositive();
            }
        } finally {
            compose(env, files, List.of("down"));
        }
    }

    /** The deployables' images and the local stand-ins for {@code services}, as the compose files' variables name them. */
    private static Map<String, String> images(List<String> services) {
        Map<String, String> env = new java.util.HashMap<>();
        try {
            for (String deployable : LocalImages.DEPLOYABLES) {
                String built = LocalImages.build(REPOSITORY, deployable);
                // the name the compose file gives the image its build makes
                assertThat(LocalImages.podman("tag", built, "localhost/cdcflow/" + deployable + ":latest").ok()).isTrue();
            }
            for (String service : services) {
                env.put("CDCFLOW_" + service.toUpperCase(java.util.Locale.ROOT) + "_IMAGE", LocalImages.service(service));
            }
        } catch (ServiceUnavailableException e) {
            throw RealServices.unavailable(e);
        }
        return env;
    }

    /** Starts {@code services} once the host ports they publish are free, and waits for the deployables' healthchecks. */
    private void up(Map<String, String> env, List<String> files, List<String> services, List<Integer> ports) throws Exception {
        for (int port : ports) {
            try (ServerSocket probe = new ServerSocket(port)) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException e) {
                throw new AssertionError("port " + port + " is taken on this host: the compose file publishes it", e);
            }
        }
        List<String> up = new ArrayList<>(List.of("up", "-d", "--no-build"));
        up.addAll(services);
        compose(env, files, up);
        for (String deployable : LocalImages.DEPLOYABLES) {
            String container = project + "_" + deployable + "_1";
            assertThat(Waiting.until(Duration.ofMinutes(3), Duration.ofSeconds(2), () -> LocalImages.podman("healthcheck", "run", container).ok()))
                    .as("%s's healthcheck reports healthy (compose log %s; podman logs %s)", deployable, log(), container).isTrue();
        }
    }

    /** The demo workload runs for a while and stops; then every default view in PostgreSQL equals its current view. */
    private void assertInvariant(Map<String, String> env, List<String> files) throws Exception {
        PostgresEndpoint db = new PostgresEndpoint("127.0.0.1", 5432, "app_db", "postgres", "postgres");
        ClickHouseEndpoint ch = new ClickHouseEndpoint("http://127.0.0.1:8123", "default", "clickhouse");
        Thread.sleep(20_000);
        compose(env, files, List.of("stop", "demo-workload"));
        String facts = FactsFile.defaultSql();
        db.execute(facts);
        for (FactsFile.View view : FactsFile.parse(facts, "facts").views()) {
            FactViews.assertEqual(db, ch, view.name(), "cdc." + view.name(), "podman logs " + project + "_<service>_1; " + log());
        }
    }

    private Path log() {
        return REPOSITORY.resolve("e2e").resolve("target").resolve("compose-" + project + ".log");
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

    private void compose(Map<String, String> env, List<String> files, List<String> args) throws Exception {
        Path log = log();
        List<String> command = new ArrayList<>(List.of("podman-compose", "--podman-args", "--runtime runc --cgroup-manager cgroupfs",
                "--podman-run-args", String.join(" ", LocalImages.LIMITS), "-p", project));
        files.forEach(f -> command.addAll(List.of("-f", REPOSITORY.resolve("docker").resolve(f).toString())));
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
