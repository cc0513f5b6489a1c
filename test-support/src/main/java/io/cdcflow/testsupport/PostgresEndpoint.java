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

    /** A new, empty database on the same server: one per test class keeps slots and publications apart. */
    public PostgresEndpoint createDatabase(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name);
        return new PostgresEndpoint(host, port, name, user, password);
    }

    /** The first column of the first row of a query. */
    public String queryString(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL rejected query: " + e.getMessage(), e);
        }
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
