package io.cdcflow.writer.it;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.sink.TopicSink;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A clickhouse-writer running in this JVM against the test services. */
final class RunningWriter implements AutoCloseable {
    final WriterConfig config;
    final Metrics metrics = new Metrics();
    final TopicSink sink;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    RunningWriter(ClickHouseEndpoint ch, KafkaEndpoint kafka, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put("CLICKHOUSE_URL", ch.httpUrl());
        env.put("CLICKHOUSE_USER", ch.user());
        env.put("CLICKHOUSE_PASSWORD", ch.password());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("WRITER_MAX_BACKOFF", "2s");
        env.putAll(settings);
        config = WriterConfig.from(new Env(env));
        sink = new TopicSink(config, metrics);
        thread = new Thread(() -> {
            try {
                sink.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "writer-under-test");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        sink.stop();
        thread.join(30_000);
        sink.close();
    }
}
