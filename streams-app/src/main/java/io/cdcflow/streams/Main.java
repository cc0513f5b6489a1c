package io.cdcflow.streams;

import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the streams-app and keeps it running until the process is stopped. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        StreamsAppConfig config = Startup.configOrExit("streams-app", StreamsAppConfig::from);
        StreamsApp app = new StreamsApp(config, new Metrics());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "shutdown"));
        app.start();
        LOG.info("streams-app {} started; HTTP on {} (advertised {}), processing guarantee {}",
                config.applicationId(), config.httpAddress(), config.advertisedAddress(), config.processingGuarantee());
        stopped.await();
    }
}
