package io.cdcflow.wal.setup;

import io.cdcflow.common.config.PostgresDsn;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGProperty;

/**
 * Opens connections to the source database. Credentials travel in driver properties, never in a URL that could be
 * logged. Every session uses the output formats the value mapper expects (ISO dates and intervals, UTC, floats that
 * round-trip).
 */
public final class PostgresConnector {
    private static final String SESSION_OPTIONS =
            "-c IntervalStyle=iso_8601 -c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=3";

    private final PostgresDsn dsn;

    public PostgresConnector(PostgresDsn dsn) {
        this.dsn = dsn;
    }

    public PostgresDsn dsn() {
        return dsn;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(dsn.jdbcUrl(), properties(false));
    }

    /** A walsender connection for CREATE_REPLICATION_SLOT and START_REPLICATION. */
    public Connection replication() throws SQLException {
        return DriverManager.getConnection(dsn.jdbcUrl(), properties(true));
    }

    private Properties properties(boolean replication) {
        Properties p = new Properties();
        dsn.params().forEach(p::setProperty);
        PGProperty.USER.set(p, dsn.user());
        if (dsn.password() != null) {
            PGProperty.PASSWORD.set(p, dsn.password());
        }
        PGProperty.OPTIONS.set(p, SESSION_OPTIONS);
        PGProperty.APPLICATION_NAME.set(p, replication ? "cdcflow-wal-producer" : "cdcflow-wal-producer-setup");
        PGProperty.CONNECT_TIMEOUT.set(p, 10);
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        // Simple query mode: results always come as text, the same form pgoutput sends, so one mapper serves both.
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        }
        return p;
    }
}
