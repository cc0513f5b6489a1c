package io.cdcflow.wal;

import io.cdcflow.common.config.Startup;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.OpsServer;
import io.cdcflow.wal.config.WalProducerConfig;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.cdcflow.wal.setup.CdcSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the wal-producer together: configuration, the slot-lag monitor, the HTTP endpoints, the producer. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        WalProducerConfig config = Startup.configOrExit(WalProducerConfig.SETTINGS, args, WalProducerConfig::from);
        Metrics metrics = new Metrics();
        String transport = config.postgres().transportWarning();
        if (transport != null) {
            LOG.warn("{}", transport);
        }
        WalProducer producer = new WalProducer(config, metrics);
        java.util.concurrent.atomic.AtomicReference<CdcSetup.SlotWal> slot = new java.util.concurrent.atomic.AtomicReference<>(
                new CdcSetup.SlotWal(0, 0, -1));
        metrics.gauge("cdc_slot_lag_bytes", "WAL bytes between the server's current position and the slot's confirmed position",
                () -> slot.get().lagBytes());
        metrics.gauge("cdc_slot_retained_wal_bytes", "WAL bytes PostgreSQL keeps for the slot (from its restart position)",
                () -> slot.get().retainedBytes());
        metrics.gauge("cdc_slot_safe_wal_bytes", "WAL bytes that can still be written before PostgreSQL gives the slot up "
                + "(max_slot_wal_keep_size); -1 when unlimited", () -> slot.get().safeBytes());
        ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "slot-monitor"));
        monitor.scheduleWithFixedDelay(() -> {
            try {
                slot.set(producer.setup().slotWal());
            } catch (Exception e) {
                LOG.debug("slot lag query failed: {}", e.getMessage());
            }
        }, 1, 10, TimeUnit.SECONDS);

        OpsServer ops = OpsServer.start(config.httpAddress(), config.httpTls(), metrics, producer::health, app -> {
            app.before("/snapshot/*", config.httpAuth()::require);
            app.post("/snapshot/{table}", ctx -> {
                try {
                    ctx.status(202).result(producer.requestSnapshot(ctx.pathParam("table")) + "\n");
                } catch (IllegalArgumentException e) {
                    ctx.status(404).result(e.getMessage() + "\n");
                }
            });
        });
        LOG.info("wal-producer: /ping /ready /metrics on {} (port {}, {}); POST /snapshot/<table>: {}", config.httpAddress(), ops.port(),
                config.httpTls() == null ? "http" : "https", config.httpAuth().describe());
        try {
            Startup.runUntilShutdown(producer::run, producer::stop, Duration.ofSeconds(20), ops);
        } finally {
            monitor.shutdownNow();
        }
    }

}
