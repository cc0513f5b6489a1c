package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.model.SourceRow;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Source tables read as KTables their own topics restore ({@link SourceTopicStore}): no changelog, and the rows a
 * restore from the compacted topic would not rebuild written to the table's newest-rows topic, nothing else.
 */
class SourceTopicTopologyTest {
    private final TopologyFixture f = new TopologyFixture(FactsFile.load(null), DemoTables.schemas(), Map.of(), OutputSchemas.NONE, true);
    private final TestOutputTopic<String, SourceRow> customersNewest = f.driver.createOutputTopic(
            FactStateNames.newestTopic(f.config, "customers"), Serdes.String().deserializer(), StateCodec.sourceRows().deserializer());

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void noSourceTableWritesAChangelog() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("orders", INSERT, row("id", 10, "customer_id", 1, "total", 5, "status", "new", "created_at", "2026-11-24T10:00:00Z"));
        assertThat(f.highestVersion("order_fact").get("{\"order_id\":10}").get("customer_name").asText()).isEqualTo("Ada");
        assertThat(f.driver.producedTopicNames()).noneMatch(topic -> topic.endsWith("-table-changelog"));
    }

    @Test
    void aStaleEventWritesTheRowHeldToTheNewestRowsTopicAndNothingElse() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"), 0x2000, 0);
        f.change("customers", UPDATE, row("id", 1, "name", "Ada Lovelace", "email", "a@x"), 0x3000, 0);
        int facts = f.emitted("customer_dim").size();
        assertThat(customersNewest.readRecordsToList()).as("events in order: every row rebuilt from the topic").isEmpty();

        f.change("customers", UPDATE, row("id", 1, "name", "Ada", "email", "a@x"), 0x2000, 0); // a snapshot's row, late
        assertThat(f.emitted("customer_dim")).hasSize(facts);
        List<TestRecord<String, SourceRow>> newest = customersNewest.readRecordsToList();
        assertThat(newest).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("{\"id\":1}");
            assertThat(record.value().lsn()).isEqualTo(0x3000);
            assertThat(record.value().get("name").asText()).isEqualTo("Ada Lovelace");
        });
        f.change("customers", UPDATE, row("id", 1, "name", "Ada", "email", "a@x"), 0x3000, 0); // a duplicate of the newest
        assertThat(customersNewest.readRecordsToList()).isEmpty();
    }

    @Test
    void aRowThatTookAnUnchangedToastedColumnFromTheRowBeforeIsWrittenToTheNewestRowsTopic() {
        f.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x"));
        f.change("customers", UPDATE, row("id", 1, "name", "Ada Lovelace"), "email");
        assertThat(f.highestVersion("customer_dim").get("{\"id\":1}").get("email").asText()).isEqualTo("a@x");
        assertThat(customersNewest.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.value().get("email").asText()).isEqualTo("a@x");
            assertThat(record.value().get("name").asText()).isEqualTo("Ada Lovelace");
        });
        // nothing else changed: no fact, but the event is now the key's last record and lacks the value
        int facts = f.emitted("customer_dim").size();
        f.change("customers", UPDATE, row("id", 1, "name", "Ada Lovelace"), "email");
        assertThat(f.emitted("customer_dim")).hasSize(facts);
        assertThat(customersNewest.readRecordsToList()).singleElement()
                .satisfies(record -> assertThat(record.value().get("email").asText()).isEqualTo("a@x"));
    }
}
