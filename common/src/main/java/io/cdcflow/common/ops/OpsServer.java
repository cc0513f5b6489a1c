package io.cdcflow.common.ops;

import io.cdcflow.common.config.HostPort;
import io.cdcflow.common.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The operations endpoints every deployable serves: {@code /ping} (the process is alive), {@code /ready} (200 only
 * while it does its job, 503 with the reason otherwise), {@code /metrics} (Prometheus text). A deployable may add
 * routes of its own.
 */
public final class OpsServer implements AutoCloseable {
    private final Javalin app;

    private OpsServer(Javalin app) {
        this.app = app;
    }

    public static OpsServer start(HostPort address, Metrics metrics, Supplier<Health> health,
                                  Consumer<Javalin> extraRoutes) {
        return start(address, null, metrics, health, extraRoutes);
    }

    /** @param tls when not null, the endpoints are served over HTTPS only */
    public static OpsServer start(HostPort address, HttpTls tls, Metrics metrics, Supplier<Health> health,
                                  Consumer<Javalin> extraRoutes) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            if (tls != null) { // a connector of our own: Javalin then opens no plain HTTP one
                config.jetty.addConnector((server, http) -> {
                    org.eclipse.jetty.server.ServerConnector https = new org.eclipse.jetty.server.ServerConnector(server, tls.serverContext());
                    https.setHost(address.host());
                    https.setPort(address.port());
                    return https;
                });
            }
        });
        app.get("/ping", ctx -> ctx.result("pong"));
        app.get("/ready", ctx -> ready(ctx, health.get()));
        // the same answer as /ready, for alerts: a deployable that is up but not ready (job tells which)
        metrics.gauge("cdcflow_ready", "1 while /ready answers 200, else 0", () -> health.get().ready() ? 1 : 0);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        extraRoutes.accept(app);
        app.start(address.host(), address.port());
        return new OpsServer(app);
    }

    private static void ready(Context ctx, Health health) {
        var body = Json.object();
        body.put("status", health.ready() ? "ok" : "not ready");
        body.put("detail", health.detail());
        ctx.status(health.ready() ? 200 : 503).contentType("application/json").result(Json.text(body));
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
