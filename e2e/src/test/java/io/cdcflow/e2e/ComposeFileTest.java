package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker/ without a Docker engine: the compose file parses, each deployable's variables
 * are ones its code reads, and its port, healthcheck and Dockerfile agree.
 */
class ComposeFileTest {
    private static final Path DOCKER = Path.of("..", "docker");
    private static final Map<String, String> HTTP_ADDR = Map.of(
            "wal-producer", "POSTGRES_CDC_HTTP_ADDR", "streams-app", "STREAMS_HTTP_ADDR", "clickhouse-writer", "WRITER_HTTP_ADDR");
    private static final Pattern LITERAL = Pattern.compile("\"([A-Z][A-Z0-9_]+)\"");

    private final JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("docker-compose.yaml").toFile());

    ComposeFileTest() throws IOException {
    }

    @Test
    void everyServiceIsThereAndDependenciesExist() {
        JsonNode services = compose.get("services");
        assertThat(names(services)).contains("postgres", "kafka", "clickhouse", "wal-producer", "streams-app",
                "clickhouse-writer", "demo-workload");
        services.fields().forEachRemaining(service -> service.getValue().path("depends_on").fieldNames()
                .forEachRemaining(dependency -> assertThat(services.has(dependency))
                        .as("%s depends on %s", service.getKey(), dependency).isTrue()));
        assertThat(services.get("postgres").get("command").toString()).contains("wal_level=logical");
    }

    @Test
    void prometheusScrapesEachDeployableAtItsPortAndGrafanaGetsTheShippedFiles() throws IOException {
        JsonNode services = compose.get("services");
        JsonNode prometheus = new ObjectMapper(new YAMLFactory()).readTree(Path.of("..", "monitoring", "prometheus.yml").toFile());
        Map<String, String> targets = new java.util.HashMap<>();
        prometheus.get("scrape_configs").forEach(job -> targets.put(job.get("job_name").asText(),
                job.get("static_configs").get(0).get("targets").get(0).asText()));
        for (Map.Entry<String, String> d : HTTP_ADDR.entrySet()) {
            String port = services.get(d.getKey()).get("environment").get(d.getValue()).asText().replaceAll(".*:", "");
            assertThat(targets).as("the rules name the jobs after the services").containsEntry(d.getKey(), d.getKey() + ":" + port);
        }
        for (String service : List.of("prometheus", "grafana")) {
            services.get(service).get("volumes").forEach(volume -> assertThat(DOCKER.resolve(volume.asText().replaceAll(":.*", "")))
                    .as("%s mounts %s", service, volume.asText()).exists());
        }
    }

    @Test
    void everyVariableOfADeployableIsOneItsCodeReads() throws IOException {
        for (String deployable : HTTP_ADDR.keySet()) {
            Set<String> known = variablesReadBy(deployable);
            compose.get("services").get(deployable).get("environment").fieldNames().forEachRemaining(variable ->
                    assertThat(known.contains(variable) || variable.startsWith("KAFKA_"))
                            .as("%s sets %s, which its code does not read", deployable, variable).isTrue());
        }
    }

    @Test
    void portsHealthchecksAndDockerfilesLineUp() throws IOException {
        for (Map.Entry<String, String> d : HTTP_ADDR.entrySet()) {
            JsonNode service = compose.get("services").get(d.getKey());
            String port = service.get("environment").get(d.getValue()).asText().replaceAll(".*:", "");
            assertThat(service.get("ports").get(0).asText()).isEqualTo(port + ":" + port);
            assertThat(service.get("healthcheck").get("test").toString()).contains("http://127.0.0.1:" + port + "/ready");
            assertThat(service.get("build").get("dockerfile").asText()).isEqualTo("docker/" + d.getKey() + ".Dockerfile");
            String dockerfile = Files.readString(DOCKER.resolve(d.getKey() + ".Dockerfile"));
            assertThat(dockerfile).contains("EXPOSE " + port, d.getValue() + ":-0.0.0.0:" + port + "}", "127.0.0.1:${addr##*:}/ready", "USER cdcflow",
                    "/" + d.getKey() + "/target/" + d.getKey() + ".jar", "-pl " + d.getKey());
        }
    }

    @Test
    void theClusterVariantOverridesServicesThatExistAndNamesTheClusterItsServersDeclare() throws IOException {
        JsonNode cluster = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("docker-compose.cluster.yaml").toFile());
        JsonNode services = cluster.get("services");
        assertThat(names(services)).contains("zookeeper", "clickhouse", "clickhouse-2", "clickhouse-writer");
        for (String overridden : List.of("clickhouse", "clickhouse-writer")) {
            assertThat(compose.get("services").has(overridden)).as("%s is in the single-server file", overridden).isTrue();
        }
        String name = services.get("clickhouse-writer").get("environment").get("CLICKHOUSE_CLUSTER").asText();
        assertThat(variablesReadBy("clickhouse-writer")).contains("CLICKHOUSE_CLUSTER");
        for (int shard = 1; shard <= 2; shard++) {
            String server = shard == 1 ? "clickhouse" : "clickhouse-2";
            String mount = services.get(server).get("volumes").get(0).asText();
            assertThat(mount).startsWith("./cluster/clickhouse-shard" + shard + ".xml:/etc/clickhouse-server/config.d/");
            String config = Files.readString(DOCKER.resolve("cluster").resolve("clickhouse-shard" + shard + ".xml"));
            assertThat(config).contains("<" + name + ">", "<shard>" + shard + "</shard>", "<host>zookeeper</host>",
                    "<host>clickhouse-1</host>", "<host>clickhouse-2</host>");
            assertThat(services.get(server).get("hostname").asText()).isEqualTo("clickhouse-" + shard);
        }
    }

    /** Every upper-case string literal in the deployable's and the shared module's code: the names it reads. */
    private static Set<String> variablesReadBy(String deployable) throws IOException {
        Set<String> names = new HashSet<>();
        for (Path root : List.of(Path.of("..", deployable, "src", "main", "java"), Path.of("..", "common", "src", "main", "java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = LITERAL.matcher(Files.readString(file));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
