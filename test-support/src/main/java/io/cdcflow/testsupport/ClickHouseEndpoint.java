package io.cdcflow.testsupport;

import com.clickhouse.client.api.Client;

/** A ClickHouse server, by its HTTP interface. */
public record ClickHouseEndpoint(String httpUrl, String user, String password) {

    /**
     * A client-v2 that works against old servers (CI's 18.16) as well as current ones: old servers cannot send
     * the compressed responses the client asks for by default.
     */
    public Client client() {
        return new Client.Builder()
                .addEndpoint(httpUrl)
                .setUsername(user)
                .setPassword(password == null ? "" : password)
                .compressServerResponse(false)
                .build();
    }
}
