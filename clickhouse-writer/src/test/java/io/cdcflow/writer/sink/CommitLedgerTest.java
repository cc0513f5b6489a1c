package io.cdcflow.writer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitLedgerTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition USERS_0 = new TopicPartition("users", 0);
    /** One topic of raw changes carrying both tables. */
    private static final TopicPartition CDC_0 = new TopicPartition("cdc", 0);
    private static final long SECOND = 1_000_000_000L;

    private final CommitLedger ledger = new CommitLedger(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4)));

    @Test
    void aFlightThatLandsWhollyCommitsTheOffsetAfterTheLastRecordOfEachPartition() {
        ledger.read(ORDERS_0, 10, "orders");
        ledger.read(ORDERS_0, 11, "orders");
        ledger.read(USERS_0, 3, null); // dead-lettered: no row, but its offset is done
        CommitLedger.Flight flight = ledger.takeOff();
        assertThat(ledger.isEmpty()).isTrue();
        assertThat(flight.committable(List.of())).isEqualTo(Map.of(ORDERS_0, 12L, USERS_0, 4L));
    }

    @Test
    void aFailedTableHoldsBackOnlyThePartitionsThatCarriedItsRows() {
        ledger.read(ORDERS_0, 10, "orders");
        ledger.read(ORDERS_1, 5, "orders");
        ledger.read(USERS_0, 3, "users");
        ledger.read(CDC_0, 7, "users");
        ledger.read(CDC_0, 8, "orders");
        CommitLedger.Flight flight = ledger.takeOff();
        assertThat(flight.blocked(List.of("orders"))).containsExactlyInAnyOrder(ORDERS_0, ORDERS_1, CDC_0);
        assertThat(flight.committable(List.of("orders"))).as("users' own topic lands; the shared one waits for orders")
                .isEqualTo(Map.of(USERS_0, 4L));
        assertThat(flight.committable(List.of("users"))).isEqualTo(Map.of(ORDERS_0, 11L, ORDERS_1, 6L));
    }

    @Test
    void heldPartitionsWaitTheFailingTablesBackoffWhichDoublesUpToTheMaximumAndStartsOverOnceItLands() {
        for (int attempt = 0; attempt < 4; attempt++) {
            ledger.read(ORDERS_0, attempt, "orders");
            Duration backoff = ledger.failed(ledger.takeOff(), List.of("orders"), 0);
            assertThat(backoff).isEqualTo(Duration.ofSeconds(List.of(1, 2, 4, 4).get(attempt)));
            assertThat(ledger.failing("orders")).isTrue();
            assertThat(ledger.release(backoff.toNanos() - 1)).isEmpty();
            assertThat(ledger.release(backoff.toNanos())).containsExactly(ORDERS_0);
        }
        ledger.landed("orders");
        assertThat(ledger.failingTables()).isEmpty();
        ledger.read(ORDERS_0, 9, "orders");
        assertThat(ledger.failed(ledger.takeOff(), List.of("orders"), 0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPartitionFeedingTwoFailedTablesWaitsForTheLongerBackoff() {
        ledger.read(CDC_0, 1, "orders");
        ledger.failed(ledger.takeOff(), List.of("orders"), 0); // orders now backs off 1 s, next time 2 s
        ledger.release(SECOND);
        ledger.read(CDC_0, 1, "orders");
        ledger.read(CDC_0, 2, "users");
        ledger.failed(ledger.takeOff(), List.of("orders", "users"), 10 * SECOND);
        assertThat(ledger.release(11 * SECOND)).as("users' 1 s is over, orders' 2 s is not").isEmpty();
        assertThat(ledger.release(12 * SECOND)).containsExactly(CDC_0);
    }

    @Test
    void forgettingAndRevokingDropWhatNoLongerApplies() {
        ledger.read(ORDERS_0, 1, "orders");
        ledger.forget();
        assertThat(ledger.isEmpty()).isTrue();
        assertThat(ledger.takeOff().offsets()).isEmpty();
        ledger.read(ORDERS_0, 2, "orders");
        ledger.failed(ledger.takeOff(), List.of("orders"), 0);
        assertThat(ledger.held()).isEqualTo(Set.of(ORDERS_0));
        ledger.revoked(List.of(ORDERS_0));
        assertThat(ledger.held()).isEmpty();
    }
}
