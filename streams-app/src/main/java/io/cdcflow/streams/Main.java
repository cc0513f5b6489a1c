package io.cdcflow.streams;

import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactsException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the streams-app and keeps it running until the process is stopped; a facts file it cannot run ends it. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        StreamsAppConfig config = Startup.configOrExit("streams-app", StreamsAppConfig::from);
        StreamsApp app;
        try {
            app = new StreamsApp(config, new Metrics());
        } catch (FactsException e) {
            System.err.println("streams-app: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            app.start();
        } catch (FactsException e) {
            LOG.error("cannot run the facts: {}", e.getMessage());
            System.exit(2);
        }
        LOG.info("streams-app {} started; HTTP on {} (advertised {}), processing guarantee {}",
                config.applicationId(), config.httpAddress(), config.advertisedAddress(), config.processingGuarantee());
        stopped.await();
    }
}
