package io.cdcflow.testsupport;

import com.clickhouse.client.api.Client;

/** A ClickHouse server, by its HTTP interface. */
public record ClickHouseEndpoint(String httpUrl, String user, String password) {

    /**
     * A client-v2 that works against old servers (CI's 18.16) as well as current ones: old servers cannot send
     * the compressed responses the client asks for by default.
     */
    /** Rows of a query as JSON lines (JSONEachRow, which every server version reads and writes the same way). */
    public java.util.List<String> query(String sql) {
        try (Client client = client()) {
            return query(client, sql);
        }
    }

    /** Rows as JSON lines, through a client the caller keeps open (for polling loops). */
    public static java.util.List<String> query(Client client, String sql) {
        try (com.clickhouse.client.api.query.QueryResponse response = client.query(sql + " FORMAT JSONEachRow")
                     .get(60, java.util.concurrent.TimeUnit.SECONDS)) {
            String body = new String(response.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return body.lines().filter(l -> !l.isBlank()).toList();
        } catch (Exception e) {
            throw new IllegalStateException("ClickHouse query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** A statement that returns no rows (DDL, SYSTEM). */
    public void execute(String sql) {
        try (Client client = client()) {
            client.execute(sql).get(60, java.util.concurrent.TimeUnit.SECONDS).close();
        } catch (Exception e) {
            throw new IllegalStateException("ClickHouse statement failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public Client client() {
        return new Client.Builder()
                .addEndpoint(httpUrl)
                .setUsername(user)
                .setPassword(password == null ? "" : password)
                .compressServerResponse(false)
                .build();
    }
}
