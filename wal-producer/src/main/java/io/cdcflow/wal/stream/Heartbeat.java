package io.cdcflow.wal.stream;

import io.cdcflow.wal.setup.PostgresConnector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the slot moving while the published tables are idle. PostgreSQL 15 sends nothing for transactions on other
 * tables, so without a message of our own the slot's confirmed position would stay put and the server would keep
 * all WAL written since. A non-transactional logical message arrives at once with a fresh LSN, which the stream
 * then confirms.
 */
public final class Heartbeat implements AutoCloseable {
    public static final String PREFIX = "cdcflow_heartbeat";
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

    private final PostgresConnector connector;
    private final long intervalNanos;
    private long last = System.nanoTime();
    private Connection connection;
    private boolean warned;

    public Heartbeat(PostgresConnector connector, Duration interval) {
        this.connector = connector;
        this.intervalNanos = interval.toNanos();
    }

    /** Emits a heartbeat message when the interval has passed since the last one. */
    public void maybeBeat() {
        if (intervalNanos <= 0 || System.nanoTime() - last < intervalNanos) {
            return;
        }
        last = System.nanoTime();
        try {
            if (connection == null || connection.isClosed()) {
                connection = connector.connect();
            }
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT pg_logical_emit_message(false, '" + PREFIX + "', '')");
            }
        } catch (SQLException e) {
            if (!warned) {
                LOG.warn("cannot emit heartbeat messages ({}); the slot advances only on PostgreSQL's keepalives "
                        + "while the published tables are idle", e.getMessage());
                warned = true;
            }
            close();
        }
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection
        }
        connection = null;
    }
}
