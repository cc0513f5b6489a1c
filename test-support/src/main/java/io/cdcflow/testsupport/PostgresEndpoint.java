package io.cdcflow.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** A PostgreSQL server with {@code wal_level=logical}, reachable over TCP. */
public record PostgresEndpoint(String host, int port, String database, String user, String password) {

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The DSN form the seed uses ({@code postgres://user:pass@host:port/db?sslmode=disable}). */
    public String dsn() {
        String auth = password == null || password.isEmpty() ? user : user + ":" + password;
        return "postgres://" + auth + "@" + host + ":" + port + "/" + database + "?sslmode=disable";
    }

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** Runs statements in autocommit mode; for test fixtures. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL rejected fixture SQL: " + e.getMessage(), e);
        }
    }
}
