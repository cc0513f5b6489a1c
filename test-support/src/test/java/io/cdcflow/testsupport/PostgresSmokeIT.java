package io.cdcflow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServices.class)
class PostgresSmokeIT {

    @Test
    void logicalSlotReturnsPgoutputChanges(PostgresEndpoint pg) throws Exception {
        pg.execute(
                "CREATE TABLE smoke_items (id int PRIMARY KEY, name text)",
                "CREATE PUBLICATION smoke_pub FOR TABLE smoke_items",
                "SELECT pg_create_logical_replication_slot('smoke_slot', 'pgoutput')",
                "INSERT INTO smoke_items VALUES (1, 'first')");

        List<Character> messageTypes = new ArrayList<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('smoke_slot', NULL, NULL, "
                     + "'proto_version', '1', 'publication_names', 'smoke_pub')")) {
            while (rs.next()) {
                messageTypes.add((char) rs.getBytes(1)[0]);
            }
        }
        // Begin, Relation, Insert, Commit
        assertThat(messageTypes).containsExactly('B', 'R', 'I', 'C');
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
        pg.execute("SELECT pg_drop_replication_slot('smoke_slot')", "DROP PUBLICATION smoke_pub", "DROP TABLE smoke_items");
    }
}
