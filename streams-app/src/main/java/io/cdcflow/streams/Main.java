package io.cdcflow.streams;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.check.FactsCheck;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactsException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the streams-app and keeps it running until the process is stopped; a facts file it cannot run ends it. With
 * {@code --check [file]}, validates a facts file against PostgreSQL and prints its plan instead ({@link FactsCheck}).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--check")) {
            System.exit(new FactsCheck(Env.system(), System.out).run(args.length > 1 ? args[1] : null));
        }
        if (args.length > 0) {
            Startup.helpOrExit(StreamsAppConfig.SETTINGS, args, " [--check [facts.sql]]");
        }
        StreamsAppConfig config = Startup.configOrExit(StreamsAppConfig.SETTINGS, args, StreamsAppConfig::from);
        StreamsApp app;
        try {
            app = new StreamsApp(config, new Metrics());
        } catch (FactsException e) {
            System.err.println("streams-app: " + e.getMessage());
            System.exit(2);
            return;
        }
        // not on the failing stream thread: exiting runs the shutdown hook, which closes Kafka Streams and waits for its threads
        app.onFatal(reason -> new Thread(() -> System.exit(3), "fatal-exit").start());
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
        } catch (StateFormat.OldStateException e) {
            LOG.error("streams-app: {}", e.getMessage());
            System.exit(2);
        }
        LOG.info("streams-app {} started; HTTP on {} (advertised {}), processing guarantee {}",
                config.applicationId(), config.httpAddress(), config.advertisedAddress(), config.processingGuarantee());
        stopped.await();
    }
}
