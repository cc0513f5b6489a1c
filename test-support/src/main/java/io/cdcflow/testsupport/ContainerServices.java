package io.cdcflow.testsupport;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The same services from Testcontainers, used when a Docker engine answers. Containers stop with the JVM
 * (Testcontainers' reaper), so there is nothing to close here.
 */
final class ContainerServices {
    static final String POSTGRES_IMAGE = "postgres:15-alpine";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:25.8";

    private ContainerServices() {
    }

    static boolean dockerAvailable() {
        String host = System.getenv("DOCKER_HOST");
        if ((host == null || host.isBlank()) && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static PostgresEndpoint postgres() {
        PostgreSQLContainer pg = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20", "-c", "max_wal_senders=20");
        pg.start();
        return new PostgresEndpoint(pg.getHost(), pg.getMappedPort(5432), pg.getDatabaseName(), pg.getUsername(), pg.getPassword());
    }

    static KafkaEndpoint kafka() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        kafka.start();
        return new KafkaEndpoint(kafka.getBootstrapServers());
    }

    static ClickHouseEndpoint clickhouse() {
        GenericContainer<?> ch = new GenericContainer<>(CLICKHOUSE_IMAGE)
                .withEnv("CLICKHOUSE_SKIP_USER_SETUP", "1")
                .withExposedPorts(8123)
                .waitingFor(Wait.forHttp("/ping").forPort(8123));
        ch.start();
        return new ClickHouseEndpoint("http://" + ch.getHost() + ":" + ch.getMappedPort(8123), "default", "");
    }
}
