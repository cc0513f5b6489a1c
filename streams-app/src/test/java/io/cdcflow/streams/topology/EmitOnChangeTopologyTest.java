package io.cdcflow.streams.topology;

import static io.cdcflow.common.event.Operation.DELETE;
import static io.cdcflow.common.event.Operation.INSERT;
import static io.cdcflow.common.event.Operation.UPDATE;
import static io.cdcflow.streams.topology.TopologyFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.schema.SqlTypes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Work is done only for what a fact shows: pgbench's shape (accounts joined to a few branches whose balance no fact
 * reads), a column read only inside a COALESCE, and source columns named like the pipeline's own fields.
 */
class EmitOnChangeTopologyTest {
    static final String FACTS = """
            CREATE VIEW account_fact AS
            SELECT a.aid, a.bid, a.abalance, b.filler, COALESCE(b.nick, b.note) AS label
            FROM accounts a LEFT JOIN branches b ON a.bid = b.bid;
            CREATE VIEW branch_dim AS SELECT b.bid, b.__deleted, b.__commit_lsn, b.__seq, b._version FROM branches b;
            """;

    static Map<String, io.cdcflow.common.schema.RowSchema> tables() {
        return new TestTables()
                .table("accounts", List.of("aid"), "aid", SqlTypes.INT4, true, "bid", SqlTypes.INT4, false,
                        "abalance", SqlTypes.INT4, false, "filler", SqlTypes.TEXT, false)
                .table("branches", List.of("bid"), "bid", SqlTypes.INT4, true, "bbalance", SqlTypes.INT4, false,
                        "filler", SqlTypes.TEXT, false, "nick", SqlTypes.TEXT, false, "note", SqlTypes.TEXT, false,
                        "__deleted", SqlTypes.BOOL, false, "__commit_lsn", SqlTypes.INT8, false, "__seq", SqlTypes.INT8, false,
                        "_version", SqlTypes.INT8, false)
                .build();
    }

    private final TopologyFixture f = new TopologyFixture(FACTS, tables());

    @AfterEach
    void close() {
        f.close();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode branch(int bid, int balance, String filler, String nick, String note) {
        return row("bid", bid, "bbalance", balance, "filler", filler, "nick", nick, "note", note,
                "__deleted", false, "__commit_lsn", 7, "__seq", 8, "_version", 9);
    }

    private void world() {
        f.change("branches", INSERT, branch(1, 0, "first", "n1", "note"));
        for (int aid = 1; aid <= 3; aid++) {
            f.change("accounts", INSERT, row("aid", aid, "bid", 1, "abalance", 0, "filler", "x"));
        }
    }

    @Test
    void anUpdateOfAColumnNoFactReadsEmitsNothing() {
        world();
        int before = f.emitted("account_fact").size();
        int dims = f.emitted("branch_dim").size();
        for (int balance = 1; balance <= 50; balance++) {
            f.change("branches", UPDATE, branch(1, balance, "first", "n1", "note"));
        }
        f.change("accounts", UPDATE, row("aid", 1, "bid", 1, "abalance", 0, "filler", "unread"));
        assertThat(f.emitted("account_fact")).hasSize(before);
        assertThat(f.emitted("branch_dim")).hasSize(dims);
    }

    @Test
    void anUpdateThatChangesNoComputedValueEmitsNothing() {
        world();
        int before = f.emitted("account_fact").size();
        // note is read, but only where nick is NULL: COALESCE(nick, note) stays n1
        f.change("branches", UPDATE, branch(1, 0, "first", "n1", "another note"));
        assertThat(f.emitted("account_fact")).hasSize(before);
        // the same values again, under a newer LSN: nothing either
        f.change("accounts", UPDATE, row("aid", 2, "bid", 1, "abalance", 0, "filler", "x"));
        assertThat(f.emitted("account_fact")).hasSize(before);
    }

    @Test
    void aChangeThatAltersFactsEmitsEachOnce() {
        world();
        int before = f.emitted("account_fact").size();
        f.change("branches", UPDATE, branch(1, 0, "renamed", "n1", "note"));
        assertThat(f.emitted("account_fact")).hasSize(before + 3);
        assertThat(f.latest("account_fact").values()).allSatisfy(fact -> assertThat(fact.get("filler").asText()).isEqualTo("renamed"));
        f.change("branches", UPDATE, branch(1, 0, "renamed", null, "note"));
        assertThat(f.emitted("account_fact")).hasSize(before + 6);
        assertThat(f.latest("account_fact").values()).allSatisfy(fact -> assertThat(fact.get("label").asText()).isEqualTo("note"));
    }

    @Test
    void aDeleteAndAReinsertAreEachEmitted() {
        world();
        f.change("accounts", DELETE, row("aid", 3));
        JsonNode deleted = f.latest("account_fact").get("{\"aid\":3}");
        assertThat(deleted.get("_deleted").asInt()).isOne();
        f.change("accounts", DELETE, row("aid", 3));
        assertThat(f.latest("account_fact").get("{\"aid\":3}")).isEqualTo(deleted);
        f.change("accounts", INSERT, row("aid", 3, "bid", 1, "abalance", 5, "filler", "x"));
        JsonNode back = f.latest("account_fact").get("{\"aid\":3}");
        assertThat(back.get("_deleted").asInt()).isZero();
        assertThat(back.get("_version").asLong()).isGreaterThan(deleted.get("_version").asLong());
    }

    @Test
    void aColumnOnlyADimensionsStarReadsStopsBeforeTheJoins() {
        // the default facts: customer_dim is SELECT * FROM customers, order_fact joins customers for name and email
        try (TopologyFixture defaults = new TopologyFixture()) {
            defaults.change("customers", INSERT, row("id", 1, "name", "Ada", "email", "a@x", "notes", "n"));
            for (int id = 10; id < 13; id++) {
                defaults.change("orders", INSERT, row("id", id, "customer_id", 1, "total", 5, "status", "new"));
            }
            var responses = defaults.driver.createOutputTopic("cdcflow-streams-order_fact-c-parents-changelog",
                    org.apache.kafka.common.serialization.Serdes.ByteArray().deserializer(),
                    org.apache.kafka.common.serialization.Serdes.ByteArray().deserializer());
            assertThat(responses.readRecordsToList()).hasSize(3);
            int facts = defaults.emitted("order_fact").size();
            int dims = defaults.emitted("customer_dim").size();
            defaults.change("customers", UPDATE, row("id", 1, "name", "Ada", "email", "a@x", "notes", "seen at 10:00"));
            assertThat(defaults.emitted("customer_dim")).hasSize(dims + 1); // it shows notes
            assertThat(defaults.emitted("order_fact")).hasSize(facts);
            assertThat(responses.readRecordsToList()).as("no foreign-key response per order").isEmpty();
            defaults.change("customers", UPDATE, row("id", 1, "name", "Ada L", "email", "a@x", "notes", "seen at 10:00"));
            assertThat(responses.readRecordsToList()).hasSize(3);
            assertThat(defaults.latest("order_fact").values()).allSatisfy(f -> assertThat(f.get("customer_name").asText()).isEqualTo("Ada L"));
        }
    }

    @Test
    void sourceColumnsNamedLikeThePipelinesFieldsAreColumnsLikeAnyOther() {
        long lsn = f.change("branches", INSERT, branch(1, 0, "first", "n1", "note"));
        JsonNode dim = f.latest("branch_dim").get("{\"bid\":1}");
        assertThat(dim.get("__deleted").asBoolean()).isFalse();
        assertThat(dim.get("__commit_lsn").asLong()).isEqualTo(7);
        assertThat(dim.get("__seq").asLong()).isEqualTo(8);
        assertThat(dim.get("_version").asLong()).isEqualTo(9);
        // the version and the delete flag step aside: _version is taken, _deleted is not
        assertThat(dim.get("__version").asLong()).isEqualTo(lsn);
        assertThat(dim.get("_deleted").asInt()).isZero();
        f.change("branches", DELETE, row("bid", 1));
        JsonNode gone = f.latest("branch_dim").get("{\"bid\":1}");
        assertThat(gone.get("_deleted").asInt()).isOne();
        assertThat(gone.has("_version")).isFalse();
        assertThat(gone.get("__version").asLong()).isGreaterThan(lsn);
    }

    @Test
    void eachFactsLagIsTheAgeOfTheNewestChangeItHandledEvenOneThatChangedNothing() {
        java.time.Instant now = java.time.Instant.now();
        f.changeCommittedAt("branches", INSERT, branch(1, 0, "first", "n1", "note"), now.minusSeconds(600));
        assertThat(lag("branch_dim")).isBetween(599.0, 660.0);
        // a balance no fact reads: nothing is emitted, yet the fact has caught up with that change
        f.changeCommittedAt("branches", UPDATE, branch(1, 5, "first", "n1", "note"), now.minusSeconds(30));
        assertThat(lag("branch_dim")).isBetween(29.0, 90.0);
        assertThat(f.metrics.scrape()).contains("streams_idle_seconds{fact=\"branch_dim\"}");
    }

    private double lag(String fact) {
        String line = f.metrics.scrape().lines().filter(l -> l.startsWith("streams_lag_seconds{fact=\"" + fact + "\"}"))
                .findFirst().orElseThrow(() -> new AssertionError("no streams_lag_seconds for " + fact));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
