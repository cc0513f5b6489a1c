package io.cdcflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cdcflow.common.config.Settings;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.writer.config.WriterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a run of docker/ cannot show (ComposeIT runs it): each deployable's variables are among the settings its
 * configuration declares, its port, healthcheck and Dockerfile agree, the monitoring files are where the services mount
 * them, the cluster override names what its servers declare.
 */
class ComposeFileTest {
    private static final Path DOCKER = Path.of("..", "docker");
    private static final Map<String, String> HTTP_ADDR = Map.of(
            "wal-producer", "POSTGRES_CDC_HTTP_ADDR", "streams-app", "STREAMS_HTTP_ADDR", "clickhouse-writer", "WRITER_HTTP_ADDR");
    private static final Map<String, Settings> SETTINGS = Map.of("wal-producer", WalProducerConfig.SETTINGS,
            "streams-app", StreamsAppConfig.SETTINGS, "clickhouse-writer", WriterConfig.SETTINGS);

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
    void everyVariableOfADeployableIsOneOfItsSettings() {
        for (Map.Entry<String, Settings> d : SETTINGS.entrySet()) {
            compose.get("services").get(d.getKey()).get("environment").fieldNames().forEachRemaining(variable ->
                    assertThat(d.getValue().declares(variable))
                            .as("%s sets %s, which is none of its settings", d.getKey(), variable).isTrue());
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
        assertThat(SETTINGS.get("clickhouse-writer").declares("CLICKHOUSE_CLUSTER")).isTrue();
        for (int shard = 1; shard <= 2; shard++) {
            String server = shard == 1 ? "clickhouse" : "clickhouse-2";
            String mount = services.get(server).get("volumes").get(0).asText();
            assertThat(mount).startsWith("./cluster/clickhouse-shard" + shard + ".xml:/etc/clickhouse-server/config.d/");
            String config = Files.readString(DOCKER.resolve("cluster").resolve("clickhouse-shard" + shard + ".xml"));
            assertThat(config).contains("<" + name + ">", "<shard>" + shard + "</shard>", "<host>zookeeper</host>",
                    "<host>clickhouse</host>", "<host>clickhouse-2</host>");
            // every host a server's file names is a service: other containers resolve service names, not hostnames
            java.util.regex.Matcher host = java.util.regex.Pattern.compile("<(?:host|interserver_http_host)>([^<]+)<").matcher(config);
            while (host.find()) {
                assertThat(services.has(host.group(1)) || compose.get("services").has(host.group(1)))
                        .as("%s names host %s, which is no service of the compose files", server, host.group(1)).isTrue();
            }
        }
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
