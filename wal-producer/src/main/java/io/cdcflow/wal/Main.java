package io.cdcflow.wal;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.OpsServer;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.setup.CdcSetup;
import io.cdcflow.wal.setup.PostgresConnector;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the wal-producer together and keeps it running: a failed session is retried with backoff. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        WalProducerConfig config = Startup.configOrExit("wal-producer", WalProducerConfig::from);
        Metrics metrics = new Metrics();
        WalProducer producer = new WalProducer(config, metrics);
        AtomicLong slotLag = new AtomicLong();
        metrics.gauge("cdc_slot_lag_bytes", "WAL bytes between the server's current position and the slot's confirmed position", slotLag::get);
        ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "slot-monitor"));
        PostgresConnector connector = new PostgresConnector(config.postgres());
        monitor.scheduleWithFixedDelay(() -> {
            try (Connection c = connector.connect()) {
                slotLag.set(producer.setup().slotLagBytes(c));
            } catch (Exception e) {
                LOG.debug("slot lag query failed: {}", e.getMessage());
            }
        }, 1, 10, TimeUnit.SECONDS);

        OpsServer ops = OpsServer.start(config.httpAddress(), metrics, producer::health, app -> { });
        LOG.info("wal-producer: /ping /ready /metrics on {} (port {})", config.httpAddress(), ops.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            producer.stop();
            try {
                stopped.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ops.close();
        }, "shutdown"));
        try {
            supervise(producer);
        } finally {
            monitor.shutdownNow();
            stopped.countDown();
        }
    }

    private static void supervise(WalProducer producer) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        while (true) {
            long started = System.nanoTime();
            try {
                producer.runSession();
                return;
            } catch (ConfigException | CdcSetup.SetupException | KafkaPublisher.OversizeRecordException e) {
                LOG.error("wal-producer: {}", e.getMessage());
                producer.failed(e.getMessage());
                if (e instanceof ConfigException) {
                    System.exit(2);
                }
            } catch (WalProducer.SlotBusyException e) {
                LOG.info("{}", e.getMessage());
                producer.failed(e.getMessage());
                backoff = Duration.ofSeconds(2);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String why = describe(e);
                LOG.error("wal-producer session failed, resuming from the last confirmed position: {}", why);
                producer.failed(why);
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofMinutes(1)) > 0) {
                backoff = Duration.ofSeconds(1);
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" <- ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
