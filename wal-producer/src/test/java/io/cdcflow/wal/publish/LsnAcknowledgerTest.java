package io.cdcflow.wal.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.wal.publish.LsnAcknowledger.Transaction;
import org.junit.jupiter.api.Test;

class LsnAcknowledgerTest {

    @Test
    void confirmsATransactionOnlyWhenAllItsEventsAreAcked() {
        LsnAcknowledger ack = new LsnAcknowledger(100);
        Transaction t = ack.begin();
        // three rows of one multi-row insert: one WAL record, one LSN
        ack.sent(t);
        ack.sent(t);
        ack.sent(t);
        ack.committed(t, 500);
        ack.acked(t);
        ack.acked(t);
        assertThat(ack.confirmed()).isEqualTo(100);
        ack.acked(t);
        assertThat(ack.confirmed()).isEqualTo(500);
    }

    @Test
    void aLaterTransactionWaitsForAnEarlierOne() {
        LsnAcknowledger ack = new LsnAcknowledger(0);
        Transaction first = ack.begin();
        ack.sent(first);
        ack.committed(first, 200);
        Transaction second = ack.begin();
        ack.sent(second);
        ack.committed(second, 300);
        ack.acked(second);
        assertThat(ack.confirmed()).isZero();
        ack.acked(first);
        assertThat(ack.confirmed()).isEqualTo(300);
    }

    @Test
    void aFailureStopsConfirmation() {
        LsnAcknowledger ack = new LsnAcknowledger(0);
        Transaction t = ack.begin();
        ack.sent(t);
        ack.committed(t, 200);
        ack.failed(new IllegalStateException("broker down"));
        ack.acked(t);
        ack.idleAt(900);
        assertThat(ack.confirmed()).isZero();
        assertThat(ack.failure()).hasMessage("broker down");
    }

    @Test
    void idleStreamAdvancesToTheServerPositionOnlyWithNothingInFlight() {
        LsnAcknowledger ack = new LsnAcknowledger(0);
        Transaction t = ack.begin();
        ack.sent(t);
        ack.idleAt(1000);
        assertThat(ack.confirmed()).isZero();
        ack.committed(t, 400);
        ack.acked(t);
        ack.idleAt(1000);
        assertThat(ack.confirmed()).isEqualTo(1000);
    }

    @Test
    void anEmptyTransactionIsConfirmedAtCommit() {
        LsnAcknowledger ack = new LsnAcknowledger(0);
        ack.committed(ack.begin(), 50);
        assertThat(ack.confirmed()).isEqualTo(50);
    }

    @Test
    void aLongOpenTransactionWhoseEventsAreAcknowledgedIsNotWaitingForKafka() {
        LsnAcknowledger ack = new LsnAcknowledger(0);
        Transaction bulk = ack.begin();
        for (int i = 0; i < 3; i++) {
            ack.sent(bulk);
        }
        assertThat(ack.unacknowledged()).isEqualTo(3);
        ack.acked(bulk);
        ack.acked(bulk);
        ack.acked(bulk);
        assertThat(ack.unacknowledged()).isZero();
        assertThat(ack.acks()).isEqualTo(3);
        assertThat(ack.confirmed()).as("not committed yet: nothing to confirm").isZero();
        assertThat(ack.inFlight()).isEqualTo(1);
    }
}
