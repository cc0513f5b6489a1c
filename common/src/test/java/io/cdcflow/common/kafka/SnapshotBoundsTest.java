package io.cdcflow.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotBoundsTest {
    private final SnapshotBounds started = new SnapshotBounds("slot", "public", "customers", "cdc.public.customers", "0/16B3748@t",
            Map.of(0, 10L, 1, 0L, 2, 7L), null);

    @Test
    void aSnapshotIsPassedInAPartitionOnceTheReaderIsAtItsEndOrItBroughtNothingThere() {
        assertThat(started.passed(0, Long.MAX_VALUE)).as("while it runs, nothing is passed").isFalse();
        SnapshotBounds ended = started.ended(Map.of(0, 25L, 1, 4L, 2, 7L));
        assertThat(ended.passed(0, 24)).isFalse();
        assertThat(ended.passed(0, 25)).isTrue();
        assertThat(ended.passed(1, 0)).as("a reader that committed nothing yet").isFalse();
        assertThat(ended.passed(1, 4)).isTrue();
        assertThat(ended.passed(2, 0)).as("no snapshot row in partition 2").isTrue();
        assertThat(ended.passed(3, 0)).as("a partition the snapshot did not know").isTrue();
    }

    @Test
    void theStateTopicsRecordsRoundTripAndOtherRecordsAreNotBounds() {
        SnapshotBounds ended = started.ended(Map.of(0, 25L, 1, 4L, 2, 7L));
        for (SnapshotBounds b : new SnapshotBounds[] {started, ended}) {
            assertThat(SnapshotBounds.parse(b.key(), b.value())).isEqualTo(b);
        }
        assertThat(new String(started.key(), StandardCharsets.UTF_8)).isEqualTo("snapshot-bounds/slot/public.customers");
        assertThat(SnapshotBounds.parse("slot".getBytes(StandardCharsets.UTF_8), "{\"snapshot_complete\":true}".getBytes(StandardCharsets.UTF_8)))
                .as("the slot's completed-snapshot record").isNull();
        assertThat(SnapshotBounds.parse(started.key(), null)).as("a tombstone").isNull();
    }
}
