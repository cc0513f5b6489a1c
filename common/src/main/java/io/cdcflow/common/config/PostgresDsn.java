package io.cdcflow.common.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL connection, from the seed's URL form ({@code postgres://user:pass@host:5432/db?sslmode=disable},
 * also {@code postgresql://}) or a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=u&password=p}).
 * {@link #toString()} never shows the password.
 *
 * @param params the remaining query parameters (sslmode, sslrootcert, ...), passed to the driver as they are
 */
public record PostgresDsn(String host, int port, String database, String user, String password,
                          Map<String, String> params) {

    public PostgresDsn {
        params = Map.copyOf(params);
    }

    public static final Setting<String> DSN = Setting.text("POSTGRES_CDC_DSN", null,
            "`postgres://user:pass@host:5432/db?sslmode=...` or `jdbc:postgresql://host:5432/db?user=...`; when unset, "
                    + "the `PG*` variables below are used, libpq-style");
    public static final Setting<String> HOST = Setting.text("PGHOST", "localhost", "PostgreSQL's host");
    public static final Setting<Integer> PORT = Setting.integer("PGPORT", 5432, 1, 65535, "its port");
    public static final Setting<String> USER = Setting.text("PGUSER", "postgres", "the user");
    public static final Setting<String> PASSWORD = Setting.text("PGPASSWORD", null, "its password (never logged)");
    public static final Setting<String> DATABASE = Setting.text("PGDATABASE", "postgres", "the database");
    public static final Setting<String> SSL_MODE = Setting.text("PGSSLMODE", null,
            "`disable`, `require`, `verify-ca` or `verify-full` (with `POSTGRES_CDC_DSN`: its `sslmode` parameter)");

    /** The connection's settings, in README's order. */
    public static final java.util.List<Setting<?>> SETTINGS = java.util.List.of(DSN, HOST, PORT, USER, PASSWORD, DATABASE, SSL_MODE);

    /** POSTGRES_CDC_DSN (URL or JDBC form) when set, else the libpq variables PGHOST, PGPORT, ... */
    public static PostgresDsn fromEnv(Env env) {
        if (DSN.isSet(env)) {
            try {
                return parse(DSN.from(env));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(DSN.name() + " is not a PostgreSQL connection string: " + e.getMessage());
            }
        }
        String sslMode = SSL_MODE.from(env);
        return new PostgresDsn(HOST.from(env), PORT.from(env), DATABASE.from(env), USER.from(env), PASSWORD.from(env),
                sslMode == null ? Map.of() : Map.of("sslmode", sslMode));
    }

    public static PostgresDsn parse(String dsn) {
        if (dsn == null || dsn.isBlank()) {
            throw new IllegalArgumentException("empty connection string");
        }
        String rest;
        if (dsn.startsWith("jdbc:postgresql://")) {
            rest = dsn.substring("jdbc:postgresql://".length());
        } else if (dsn.startsWith("postgres://")) {
            rest = dsn.substring("postgres://".length());
        } else if (dsn.startsWith("postgresql://")) {
            rest = dsn.substring("postgresql://".length());
        } else {
            throw new IllegalArgumentException(
                    "expected postgres://user:pass@host:port/db or jdbc:postgresql://host:port/db, got a string starting '"
                            + dsn.substring(0, Math.min(12, dsn.length())) + "'");
        }
        Map<String, String> params = new LinkedHashMap<>();
        int question = rest.indexOf('?');
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                params.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
            rest = rest.substring(0, question);
        }
        String user = params.remove("user");
        String password = params.remove("password");
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String auth = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = auth.indexOf(':');
            user = decode(colon < 0 ? auth : auth.substring(0, colon));
            password = colon < 0 ? password : decode(auth.substring(colon + 1));
        }
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 || slash == rest.length() - 1 ? "postgres" : decode(rest.substring(slash + 1));
        String host = hostPort;
        int port = 5432;
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number in connection string host part '" + hostPort + "'");
            }
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        return new PostgresDsn(host, port, database, user == null ? "postgres" : user, password, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The JDBC URL without credentials (they go in the driver properties, so they never end up in a log line). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    /**
     * Why this connection can be read or redirected on the network, or null: a server that is not on this host,
     * reached without {@code sslmode=verify-full} (which alone checks both the certificate and the host name).
     */
    public String transportWarning() {
        String h = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        boolean local = h.isEmpty() || h.startsWith("/") || h.equals("localhost") || h.startsWith("127.") || h.equals("::1")
                || h.equals("[::1]");
        String mode = params.getOrDefault("sslmode", "prefer");
        if (local || mode.equals("verify-full")) {
            return null;
        }
        return "PostgreSQL at " + host + ":" + port + " is reached with sslmode=" + mode + ", not verify-full: the password and "
                + "every row can be read or redirected on the way; add sslmode=verify-full&sslrootcert=<CA file> to the connection string";
    }

    @Override
    public String toString() {
        return "postgres://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database
                + (params.isEmpty() ? "" : "?" + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getKey().contains("password") ? "***" : e.getValue()))
                .reduce((a, b) -> a + "&" + b).orElse(""));
    }
}
