package io.cdcflow.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.facts.FactQueries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FactsExportTest {
    private static final String FACTS = """
            CREATE VIEW Order_Fact AS SELECT o.id AS order_id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.id;
            CREATE VIEW "Dim" AS SELECT * FROM customers;
            """;

    @Test
    void theViewsOfAFactsFileAreNamedAsPostgresFoldsThemWithTheirSelectAndAHashOfBoth() {
        List<FactQueries.Query> queries = FactQueries.parse(FACTS, "facts.sql");
        assertThat(queries).extracting(FactQueries.Query::name).containsExactly("order_fact", "Dim");
        assertThat(queries.get(0).sql()).startsWith("SELECT o.id AS order_id, c.name FROM orders o LEFT JOIN customers c");
        assertThat(queries.get(0).hash()).hasSize(16).isEqualTo(FactQueries.hash("order_fact", queries.get(0).sql()))
                .isNotEqualTo(FactQueries.hash("order_fact", "SELECT 1"));
        assertThatThrownBy(() -> FactQueries.parse("DROP TABLE orders;", "facts.sql")).hasMessageContaining("facts.sql")
                .hasMessageContaining("only CREATE VIEW");
    }

    @Test
    void anExportTravelsThroughTheStateTopicAsItWasAnnounced() {
        Map<String, FactQueries.Query> facts = new java.util.LinkedHashMap<>();
        FactQueries.parse(FACTS, "facts.sql").forEach(q -> facts.put(q.name(), q));
        FactsExport export = new FactsExport("slot", 0xFFFF_0000_0000_0001L, facts);
        FactsExport read = FactsExport.parse(export.key(), export.value());
        assertThat(read).isEqualTo(export);
        assertThat(read.covers("order_fact", facts.get("order_fact").hash())).isTrue();
        assertThat(read.covers("order_fact", "0123456789abcdef")).isFalse();
        assertThat(read.covers("other", facts.get("order_fact").hash())).isFalse();
        assertThat(FactsExport.parse("snapshot-bounds/slot/public.t".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }

    @Test
    void aSlotsCompletedSnapshotSaysWhereItsExportEnded() {
        byte[] value = "{\"slot\":\"slot\",\"snapshot_complete\":true,\"consistent_point\":\"0/1A2B\",\"rows\":3}".getBytes(StandardCharsets.UTF_8);
        assertThat(FactsExport.snapshotCompletedAt("slot".getBytes(StandardCharsets.UTF_8), value)).isEqualTo(0x1A2BL);
        assertThat(FactsExport.snapshotCompletedAt("other".getBytes(StandardCharsets.UTF_8), value)).isNull();
        assertThat(FactsExport.snapshotCompletedAt("slot".getBytes(StandardCharsets.UTF_8),
                "{\"slot\":\"slot\",\"snapshot_complete\":false}".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
