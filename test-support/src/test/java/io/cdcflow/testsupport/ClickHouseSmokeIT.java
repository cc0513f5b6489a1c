package io.cdcflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class ClickHouseSmokeIT {

    @Test
    void replacingMergeTreeCollapsesDuplicatesUnderFinal(ClickHouseEndpoint ch) throws Exception {
        try (Client client = ch.client()) {
            client.execute("CREATE DATABASE IF NOT EXISTS smoke").get(30, TimeUnit.SECONDS).close();
            client.execute("DROP TABLE IF EXISTS smoke.items").get(30, TimeUnit.SECONDS).close();
            client.execute("CREATE TABLE smoke.items (id UInt64, name String, price Decimal(12, 2), _version UInt64) "
                    + "ENGINE = ReplacingMergeTree(_version) ORDER BY id").get(30, TimeUnit.SECONDS).close();
            // Two inserts, so two parts: the duplicates only collapse at merge time or under FINAL.
            insert(client, "{\"id\":1,\"name\":\"old\",\"price\":9.99,\"_version\":1}\n{\"id\":2,\"name\":\"two\",\"price\":1.50,\"_version\":1}\n");
            insert(client, "{\"id\":1,\"name\":\"new\",\"price\":12.34,\"_version\":2}\n");

            assertThat(query(client, "SELECT count() AS n FROM smoke.items FORMAT JSONEachRow"))
                    .isEqualTo("{\"n\":\"3\"}");
            assertThat(query(client, "SELECT id, name, toString(price) AS price FROM smoke.items FINAL ORDER BY id FORMAT JSONEachRow"))
                    .isEqualTo("{\"id\":\"1\",\"name\":\"new\",\"price\":\"12.34\"}\n{\"id\":\"2\",\"name\":\"two\",\"price\":\"1.50\"}");
            client.execute("DROP DATABASE smoke").get(30, TimeUnit.SECONDS).close();
        }
    }

    private static void insert(Client client, String rows) throws Exception {
        client.insert("smoke.items", new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)), ClickHouseFormat.JSONEachRow)
                .get(30, TimeUnit.SECONDS).close();
    }

    private static String query(Client client, String sql) throws Exception {
        try (QueryResponse response = client.query(sql).get(30, TimeUnit.SECONDS)) {
            return new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
