package io.cdcflow.testsupport;

import io.cdcflow.common.config.PostgresDsn;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The real services of a test run, started once per test JVM on first use and shared by every test class. Each is
 * found in this order: an endpoint given by environment variables ({@code TEST_POSTGRES_DSN},
 * {@code TEST_KAFKA_BOOTSTRAP_SERVERS}, {@code TEST_CLICKHOUSE_URL}); Testcontainers when a Docker engine answers;
 * otherwise a process started here ({@link LocalPostgres}, {@link LocalKafka}, {@link LocalClickHouse}), stopped
 * when the JVM exits.
 */
public final class Services {
    private static PostgresEndpoint postgres;
    private static KafkaEndpoint kafka;
    private static ClickHouseEndpoint clickhouse;
    private static LocalPostgres localPostgres;
    private static LocalKafka localKafka;
    private static LocalClickHouse localClickHouse;
    private static ClickHouseEndpoint currentClickHouse;
    private static Boolean docker;

    private Services() {
    }

    public static synchronized PostgresEndpoint postgres() {
        if (postgres == null) {
            postgres = Optional.ofNullable(System.getenv("TEST_POSTGRES_DSN")).filter(s -> !s.isBlank())
                    .map(PostgresDsn::parse)
                    .map(d -> new PostgresEndpoint(d.host(), d.port(), d.database(), d.user(), d.password()))
                    .orElseGet(() -> docker() ? ContainerServices.postgres() : start("PostgreSQL", () -> {
                        localPostgres = closeAtExit(LocalPostgres.start());
                        return localPostgres.endpoint();
                    }));
        }
        return postgres;
    }

    public static synchronized KafkaEndpoint kafka() {
        if (kafka == null) {
            kafka = Optional.ofNullable(System.getenv("TEST_KAFKA_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank())
                    .map(KafkaEndpoint::new)
                    .orElseGet(() -> docker() ? ContainerServices.kafka() : start("Kafka broker", () -> {
                        localKafka = closeAtExit(LocalKafka.start());
                        return localKafka.endpoint();
                    }));
        }
        return kafka;
    }

    public static synchronized ClickHouseEndpoint clickhouse() {
        if (clickhouse == null) {
            clickhouse = Optional.ofNullable(System.getenv("TEST_CLICKHOUSE_URL")).filter(s -> !s.isBlank())
                    .map(url -> new ClickHouseEndpoint(url, Optional.ofNullable(System.getenv("TEST_CLICKHOUSE_USER")).orElse("default"),
                            Optional.ofNullable(System.getenv("TEST_CLICKHOUSE_PASSWORD")).orElse("")))
                    .orElseGet(() -> docker() ? ContainerServices.clickhouse() : start("ClickHouse", () -> {
                        localClickHouse = closeAtExit(LocalClickHouse.start());
                        return localClickHouse.endpoint();
                    }));
        }
        return clickhouse;
    }

    /**
     * A current ClickHouse engine: {@code TEST_CURRENT_CLICKHOUSE_URL} when set (a real current server), else chDB
     * behind {@link LocalChdb}.
     */
    public static synchronized ClickHouseEndpoint currentClickHouse() {
        if (currentClickHouse == null) {
            currentClickHouse = Optional.ofNullable(System.getenv("TEST_CURRENT_CLICKHOUSE_URL")).filter(s -> !s.isBlank())
                    .map(url -> new ClickHouseEndpoint(url, "default", ""))
                    .orElseGet(() -> start("chDB (current ClickHouse engine)", () -> closeAtExit(LocalChdb.start()).endpoint()));
        }
        return currentClickHouse;
    }

    /** The broker process, for fault tests; empty when the broker was not started by this harness. */
    public static synchronized Optional<LocalKafka> localKafka() {
        kafka();
        return Optional.ofNullable(localKafka);
    }

    public static synchronized Optional<LocalPostgres> localPostgres() {
        postgres();
        return Optional.ofNullable(localPostgres);
    }

    public static synchronized Optional<LocalClickHouse> localClickHouse() {
        clickhouse();
        return Optional.ofNullable(localClickHouse);
    }

    private static boolean docker() {
        if (docker == null) {
            docker = !"false".equals(System.getenv("TEST_USE_DOCKER")) && ContainerServices.dockerAvailable();
        }
        return docker;
    }

    private static <T> T start(String service, Callable<T> starter) {
        long started = System.nanoTime();
        try {
            T endpoint = starter.call();
            System.err.printf("[test-support] %s started in %d ms: %s%n", service, (System.nanoTime() - started) / 1_000_000, endpoint);
            return endpoint;
        } catch (Exception e) {
            throw new ServiceUnavailableException(service, e);
        }
    }

    private static <T extends AutoCloseable> T closeAtExit(T service) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception ignored) {
                // the JVM is exiting; the watchdog stops the process if this did not
            }
        }, "stop-" + service.getClass().getSimpleName()));
        return service;
    }
}
