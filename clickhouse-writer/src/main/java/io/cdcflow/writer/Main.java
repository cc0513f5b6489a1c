package io.cdcflow.writer;

import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.OpsServer;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.sink.TopicSink;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the clickhouse-writer: the sink loop and the HTTP endpoints. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        WriterConfig config = Startup.configOrExit(WriterConfig.SETTINGS, args, WriterConfig::from);
        Metrics metrics = new Metrics();
        TopicSink sink = new TopicSink(config, metrics);
        OpsServer ops = OpsServer.start(config.httpAddress(), config.httpTls(), metrics, sink::health, app -> { });
        LOG.info("clickhouse-writer: topics {} to {} database {}; HTTP on {}", config.topics(), config.clickhouseUrl(),
                config.database(), config.httpAddress());
        Startup.runUntilShutdown(sink::run, sink::stop, Duration.ofSeconds(30), sink, ops);
    }
}
