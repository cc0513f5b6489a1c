package io.cdcflow.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.facts.FactQueries;
import io.cdcflow.common.kafka.FactsExport;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the facts exports the state topic holds mean to this application. */
class SnapshotPositionsTest {
    private final SnapshotPositions positions = new SnapshotPositions();
    private final FactQueries.Query fact = new FactQueries.Query("f", "SELECT 1", FactQueries.hash("f", "SELECT 1"));

    @Test
    void anExportOfAFactDefinedAlikeStandsForItsRowsUpToItsLsnAndRunsUntilItsSnapshotCompletes() {
        positions.ownFacts(Map.of("f", fact.hash()));
        assertThat(positions.exportedAt("f")).isZero();
        assertThat(positions.exportRunning()).isNull();
        positions.exported(new FactsExport("slot", 0x100, Map.of("f", fact)));
        assertThat(positions.exportedAt("f")).isEqualTo(0x100);
        assertThat(positions.exportRunning()).isNotNull();
        positions.completed("slot", 0x80); // an earlier snapshot's
        assertThat(positions.exportRunning()).isNotNull();
        positions.completed("slot", 0x100);
        assertThat(positions.exportRunning()).isNull();
        positions.exported(new FactsExport("slot", 0x200, Map.of("f", fact))); // a new slot's snapshot
        assertThat(positions.exportedAt("f")).isEqualTo(0x200);
        assertThat(positions.exportRunning()).isNotNull();
    }

    @Test
    void anExportOfAnotherDefinitionOrAnotherFactStandsForNothingAndHoldsNothing() {
        positions.ownFacts(Map.of("f", fact.hash()));
        FactQueries.Query other = new FactQueries.Query("f", "SELECT 2", FactQueries.hash("f", "SELECT 2"));
        positions.exported(new FactsExport("slot", 0x100, Map.of("f", other)));
        assertThat(positions.exportedAt("f")).isZero();
        assertThat(positions.exportRunning()).isNull();
        assertThat(positions.defines("f", fact.hash())).isTrue();
        assertThat(positions.defines("f", other.hash())).isFalse();
        assertThat(positions.defines("g", fact.hash())).isFalse();
    }

    @Test
    void onlyTheNewestExportCanHoldTheStreamThreads() {
        positions.ownFacts(Map.of("f", fact.hash()));
        positions.exported(new FactsExport("old_slot", 0x100, Map.of("f", fact))); // never completed: its slot was given up
        positions.exported(new FactsExport("slot", 0x200, Map.of("f", fact)));
        positions.completed("slot", 0x200);
        assertThat(positions.exportRunning()).isNull();
    }
}
