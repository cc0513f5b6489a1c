package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example facts (docs/example/facts.sql) in the topology: a three-level chain, an INNER join, a WHERE,
 * expressions, quoted camelCase names, a two-column key and one table joined twice.
 */
class ExampleFactsTopologyTest {
    private final TopologyFixture f;

    ExampleFactsTopologyTest() throws Exception {
        f = new TopologyFixture(Files.readString(Path.of("../docs/example/facts.sql")), TestTables.example());
    }

    @AfterEach
    void close() {
        f.close();
    }

    private JsonNode line(int invoice, int line) {
        return f.highestVersion("invoice_line_fact").get("{\"invoice_id\":" + invoice + ",\"line_no\":" + line + "}");
    }

    private JsonNode invoice(int id) {
        return f.highestVersion("invoice_fact").get("{\"id\":" + id + "}");
    }

    private void world() {
        f.change("Region", INSERT, row("id", 1, "regionName", "North"));
        f.change("Account", INSERT, row("id", 7, "displayName", "Acme", "regionId", 1, "tier", "gold"));
        f.change("Account", INSERT, row("id", 8, "displayName", "Bolt", "regionId", null, "tier", null));
        f.change("Invoice", INSERT, row("id", 100, "accountId", 7, "billedToId", 8, "amount", new BigDecimal("120.00"),
                "discount", new BigDecimal("5.50"), "status", "open"));
        f.change("InvoiceLine", INSERT, row("invoiceId", 100, "lineNo", 1, "sku", "ab-1", "qty", 12, "unitPrice", new BigDecimal("2.50")));
    }

    @Test
    void chainInnerJoinAndExpressionsGiveThePostgresRow() {
        world();
        assertThat(line(100, 1).toString()).startsWith("{\"invoice_id\":100,\"line_no\":1,\"sku\":\"ab-1\",\"line_total\":30.00,"
                + "\"status\":\"open\",\"account_name\":\"Acme\",\"region\":\"North\",\"discount\":5.50,\"size_class\":\"bulk\","
                + "\"line_code\":\"AB-1-1\",\"_version\":");
        assertThat(line(100, 1).get("_deleted").asInt()).isZero();
    }

    @Test
    void aChangeThreeLevelsUpReachesTheFact() {
        world();
        f.change("Region", UPDATE, row("id", 1, "regionName", "Nord"));
        assertThat(line(100, 1).get("region").asText()).isEqualTo("Nord");
        f.change("Account", UPDATE, row("id", 7, "displayName", "Acme", "regionId", null, "tier", "gold"));
        assertThat(line(100, 1).get("region").isNull()).isTrue();
    }

    @Test
    void aForeignKeyThatMovesMidChainTakesTheNewRows() {
        world();
        f.change("Region", INSERT, row("id", 2, "regionName", "South"));
        f.change("Account", UPDATE, row("id", 8, "displayName", "Bolt", "regionId", 2, "tier", null));
        f.change("Invoice", UPDATE, row("id", 100, "accountId", 8, "billedToId", 7, "amount", new BigDecimal("120.00"),
                "discount", null, "status", "open"));
        JsonNode fact = line(100, 1);
        assertThat(fact.get("account_name").asText()).isEqualTo("Bolt");
        assertThat(fact.get("region").asText()).isEqualTo("South");
        assertThat(fact.get("discount").toString()).isEqualTo("0");
        f.change("Region", UPDATE, row("id", 1, "regionName", "North renamed"));
        assertThat(line(100, 1).get("region").asText()).isEqualTo("South");
    }

    @Test
    void whereThatStopsMatchingDeletesTheFactAndMatchingAgainRestoresIt() {
        world();
        f.change("Invoice", UPDATE, row("id", 100, "accountId", 7, "billedToId", 8, "amount", new BigDecimal("120.00"),
                "discount", new BigDecimal("5.50"), "status", "void"));
        assertThat(line(100, 1).get("_deleted").asInt()).isEqualTo(1);
        assertThat(line(100, 1).get("line_no").asInt()).isEqualTo(1);
        f.change("Invoice", UPDATE, row("id", 100, "accountId", 7, "billedToId", 8, "amount", new BigDecimal("120.00"),
                "discount", new BigDecimal("5.50"), "status", "paid"));
        assertThat(line(100, 1).get("_deleted").asInt()).isZero();
        assertThat(line(100, 1).get("status").asText()).isEqualTo("paid");
    }

    @Test
    void innerJoinWithoutItsRowIsNoFactUntilTheRowArrives() {
        f.change("InvoiceLine", INSERT, row("invoiceId", 200, "lineNo", 1, "sku", "x", "qty", 1, "unitPrice", 1));
        assertThat(line(200, 1).get("_deleted").asInt()).isEqualTo(1);
        f.change("Invoice", INSERT, row("id", 200, "accountId", 7, "billedToId", null, "amount", 1, "discount", null, "status", "open"));
        assertThat(line(200, 1).get("_deleted").asInt()).isZero();
        assertThat(line(200, 1).get("account_name").isNull()).isTrue();
        f.change("Invoice", DELETE, row("id", 200));
        assertThat(line(200, 1).get("_deleted").asInt()).isEqualTo(1);
    }

    @Test
    void theSameTableJoinedTwiceFillsEachAliasFromItsOwnForeignKey() {
        world();
        JsonNode fact = invoice(100);
        assertThat(fact.get("account").asText()).isEqualTo("Acme");
        assertThat(fact.get("billed_to").asText()).isEqualTo("Bolt");
        assertThat(fact.get("net").decimalValue()).isEqualByComparingTo("114.50");
        assertThat(fact.get("net").toString()).isEqualTo("114.50");
        f.change("Account", UPDATE, row("id", 8, "displayName", "Bolt Ltd", "regionId", null, "tier", null));
        assertThat(invoice(100).get("billed_to").asText()).isEqualTo("Bolt Ltd");
        assertThat(invoice(100).get("account").asText()).isEqualTo("Acme");
    }

    @Test
    void nullifAndCaseFollowPostgresNullRules() {
        world();
        f.change("Invoice", UPDATE, row("id", 100, "accountId", 7, "billedToId", 8, "amount", new BigDecimal("120.00"),
                "discount", null, "status", "draft"));
        assertThat(invoice(100).get("status").isNull()).isTrue();
        f.change("InvoiceLine", UPDATE, row("invoiceId", 100, "lineNo", 1, "sku", "ab-1", "qty", 3, "unitPrice", new BigDecimal("2.50")));
        assertThat(line(100, 1).get("size_class").asText()).isEqualTo("single");
        assertThat(line(100, 1).get("line_total").toString()).isEqualTo("7.50");
    }

    @Test
    void versionsOnlyGrowPerKeyWhateverChanges() {
        world();
        f.change("Region", UPDATE, row("id", 1, "regionName", "N2"));
        f.change("Account", UPDATE, row("id", 7, "displayName", "Acme 2", "regionId", 1, "tier", "gold"));
        f.change("InvoiceLine", UPDATE, row("invoiceId", 100, "lineNo", 1, "sku", "ab-1", "qty", 1, "unitPrice", 1));
        List<Long> versions = f.emitted("invoice_line_fact").stream().map(r -> r.value().get("_version").asLong()).toList();
        assertThat(versions).hasSizeGreaterThanOrEqualTo(4).isSorted().doesNotHaveDuplicates();
        assertThat(f.highestVersion("invoice_line_fact")).isEqualTo(f.latest("invoice_line_fact"));
    }

    @Test
    void aFactRowThatCannotBeComputedGoesToTheDeadLetterTopic() {
        try (TopologyFixture g = new TopologyFixture("CREATE VIEW ratio AS SELECT i.id, i.amount / i.discount AS r FROM \"Invoice\" i;",
                TestTables.example())) {
            g.change("Invoice", INSERT, row("id", 1, "accountId", 7, "amount", 10, "discount", 0, "status", "x"));
            g.change("Invoice", INSERT, row("id", 2, "accountId", 7, "amount", 10, "discount", 4, "status", "x"));
            var dead = g.driver.createOutputTopic(g.config.deadLetterTopic(), org.apache.kafka.common.serialization.Serdes.String().deserializer(),
                    org.apache.kafka.common.serialization.Serdes.ByteArray().deserializer()).readRecordsToList();
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).headers().lastHeader("cdc.error").value())).contains("ratio", "r", "division by zero");
            assertThat(g.highestVersion("ratio").get("{\"id\":2}").get("r").toString()).isEqualTo("2.5000000000000000");
            assertThat(g.highestVersion("ratio")).doesNotContainKey("{\"id\":1}");
            assertThat(g.metrics.scrape()).contains("streams_fact_errors_total{fact=\"ratio\"} 1");
        }
    }
}
