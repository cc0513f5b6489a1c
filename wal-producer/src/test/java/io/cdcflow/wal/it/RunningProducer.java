package io.cdcflow.wal.it;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.wal.WalProducer;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** A wal-producer running in this JVM against the test services, with its own topic prefix. */
final class RunningProducer implements AutoCloseable {
    final WalProducerConfig config;
    final Metrics metrics = new Metrics();
    final WalProducer producer;
    final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    RunningProducer(PostgresEndpoint pg, KafkaEndpoint kafka, Map<String, String> settings) {
        this(pg, kafka, settings, false);
    }

    /** @param supervised run sessions in the retry loop, as the deployable does, instead of one session */
    RunningProducer(PostgresEndpoint pg, KafkaEndpoint kafka, Map<String, String> settings, boolean supervised) {
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_CDC_DSN", pg.dsn());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        String unique = "t" + UUID.randomUUID().toString().substring(0, 8);
        env.put("POSTGRES_CDC_TOPIC_PREFIX", unique);
        env.put("POSTGRES_CDC_SLOT", "slot_" + unique);
        env.put("POSTGRES_CDC_HTTP_ADDR", "127.0.0.1:0");
        env.put("POSTGRES_CDC_CONNECT_INTERVAL", "200ms");
        env.put("POSTGRES_CDC_STATUS_INTERVAL", "1s");
        env.putAll(settings);
        config = WalProducerConfig.from(new Env(env));
        producer = new WalProducer(config, metrics);
        thread = new Thread(() -> {
            try {
                if (supervised) {
                    producer.run();
                } else {
                    producer.runSession();
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "wal-producer-under-test");
        thread.start();
    }

    String topic(String table) {
        return config.routing().topicFor(config.schema(), table);
    }

    /** Waits until the producer streams; fails with the producer's own error if it stopped. */
    void awaitStreaming() {
        boolean streaming = io.cdcflow.testsupport.Waiting.until(java.time.Duration.ofSeconds(90), java.time.Duration.ofMillis(100),
                () -> failure.get() != null || producer.health().ready());
        if (failure.get() != null) {
            throw new AssertionError("wal-producer failed: " + failure.get(), failure.get());
        }
        if (!streaming) {
            throw new AssertionError("wal-producer is not streaming after 90s: " + producer.health().detail());
        }
    }

    @Override
    public void close() throws InterruptedException {
        producer.stop();
        thread.join(30_000);
    }
}
