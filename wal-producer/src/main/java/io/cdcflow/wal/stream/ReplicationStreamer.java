package io.cdcflow.wal.stream;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.pgoutput.PgOutputDecoder;
import io.cdcflow.wal.pgoutput.PgOutputMessage;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.publish.LsnAcknowledger;
import io.cdcflow.wal.setup.Identifiers;
import io.cdcflow.wal.setup.PostgresConnector;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication loop: reads pgoutput messages from the slot, hands them to the assembler, publishes the events,
 * and confirms to PostgreSQL only what {@link LsnAcknowledger} says Kafka has acknowledged in full. Runs until
 * stopped or until a delivery fails; the caller then starts a new session, which resumes from the slot's confirmed
 * position, so nothing unacknowledged is ever skipped.
 */
public final class ReplicationStreamer {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStreamer.class);
    /**
     * Kafka acknowledging nothing for this long while events wait for it makes the producer unready. A transaction
     * that is still open in PostgreSQL (a long bulk load) holds the confirmed position back without being a stall.
     */
    private static final Duration STALL = Duration.ofSeconds(30);

    private final WalProducerConfig config;
    private final PostgresConnector connector;
    private final ChangeAssembler assembler;
    private final KafkaPublisher publisher;
    private final Metrics.Counter messages;
    /** The counter's series per message type, found once per type rather than once per message. */
    private final ClassValue<java.util.concurrent.atomic.LongAdder> messageCounts = new ClassValue<>() {
        @Override
        protected java.util.concurrent.atomic.LongAdder computeValue(Class<?> type) {
            return messages.series(type.getSimpleName());
        }
    };
    private volatile LsnAcknowledger acknowledger;
    private volatile boolean stopping;
    private volatile boolean stalled;

    public ReplicationStreamer(WalProducerConfig config, PostgresConnector connector, ChangeAssembler assembler,
                               KafkaPublisher publisher, Metrics metrics) {
        this.config = config;
        this.connector = connector;
        this.assembler = assembler;
        this.publisher = publisher;
        this.messages = metrics.counter("cdc_pgoutput_messages_total", "pgoutput messages received, by type", "type");
        metrics.gauge("cdc_last_acked_lsn", "Highest LSN acknowledged by Kafka and confirmed to PostgreSQL",
                () -> acknowledger == null ? 0 : acknowledger.confirmed());
    }

    /** True while events wait for Kafka's acknowledgement longer than the stall limit. */
    public boolean stalled() {
        return stalled;
    }

    public void stop() {
        stopping = true;
    }

    /** Streams until {@link #stop()} or a failure. {@code onStreaming} runs once the stream is open. */
    public void run(Lsn slotConfirmed, Consumer<Lsn> onStreaming) throws SQLException, InterruptedException {
        LsnAcknowledger ack = new LsnAcknowledger(slotConfirmed.value());
        acknowledger = ack;
        try (Connection connection = connector.replication();
             Heartbeat heartbeat = new Heartbeat(connector, config.heartbeatInterval())) {
            PGReplicationStream stream = open(connection);
            LOG.info("streaming from slot {} at {} (publication {})", config.slot(), slotConfirmed, config.publication());
            onStreaming.accept(slotConfirmed);
            Progress progress = new Progress(slotConfirmed.value());
            LsnAcknowledger.Transaction txn = null;
            long idlePauseNanos = 0;
            while (!stopping) {
                if (ack.failure() != null) {
                    throw new DeliveryFailedException("Kafka did not acknowledge an event; resuming from "
                            + new Lsn(ack.confirmed()) + ": " + ack.failure().getMessage(), ack.failure());
                }
                ByteBuffer buffer = stream.readPending();
                if (buffer == null) {
                    if (txn == null && !assembler.inTransaction()) {
                        ack.idleAt(stream.getLastReceiveLSN().asLong());
                    }
                    progress.report(stream, ack, true);
                    heartbeat.maybeBeat();
                    // Back off from 50 µs to 5 ms while nothing arrives: short pauses under load, little CPU when idle.
                    idlePauseNanos = Math.min(Math.max(idlePauseNanos * 2, 50_000), 5_000_000);
                    java.util.concurrent.locks.LockSupport.parkNanos(idlePauseNanos);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("replication loop interrupted");
                    }
                    continue;
                }
                idlePauseNanos = 0;
                long lsn = stream.getLastReceiveLSN().asLong();
                PgOutputMessage message = PgOutputDecoder.decode(buffer, config.maxValueBytes());
                messageCounts.get(message.getClass()).increment();
                if (message instanceof PgOutputMessage.Begin) {
                    txn = ack.begin();
                }
                List<ChangeEvent> events = assembler.accept(message, lsn);
                for (ChangeEvent event : events) {
                    LsnAcknowledger.Transaction current = txn;
                    ack.sent(current);
                    publisher.publish(event, assembler.oversize(event), () -> ack.acked(current), ack::failed);
                }
                if (message instanceof PgOutputMessage.LogicalMessage m && !m.transactional() && txn == null
                        && Heartbeat.PREFIX.equals(m.prefix())) {
                    ack.idleAt(lsn);
                    LOG.debug("heartbeat at {}; confirmed {}, {} transactions in flight", new Lsn(lsn), new Lsn(ack.confirmed()), ack.inFlight());
                }
                if (message instanceof PgOutputMessage.Commit commit && txn != null) {
                    ack.committed(txn, commit.endLsn());
                    txn = null;
                    progress.report(stream, ack, false);
                }
            }
            publisher.flush();
            confirm(stream, ack.confirmed());
            stream.close();
        }
    }

    /** Confirms acknowledged positions to PostgreSQL: at once when idle, at most every 200 ms under load. */
    private final class Progress {
        private long reported;
        private long reportedAt = System.nanoTime();
        private long lastProgress = System.nanoTime();
        private long acks;

        Progress(long start) {
            this.reported = start;
        }

        void report(PGReplicationStream stream, LsnAcknowledger ack, boolean idle) throws SQLException {
            long now = System.nanoTime();
            long confirmed = ack.confirmed();
            if (confirmed != reported) {
                lastProgress = now;
                if (idle || now - reportedAt > 200_000_000L) {
                    confirm(stream, confirmed);
                    reported = confirmed;
                    reportedAt = now;
                }
            }
            long acked = ack.acks();
            if (acked != acks || ack.unacknowledged() == 0) {
                acks = acked;
                lastProgress = now;
            }
            stalled = now - lastProgress > STALL.toNanos();
        }
    }

    private PGReplicationStream open(Connection connection) throws SQLException {
        var builder = connection.unwrap(PGConnection.class).getReplicationAPI()
                .replicationStream().logical()
                .withSlotName(config.slot())
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", Identifiers.quote(config.publication()))
                .withStatusInterval((int) config.statusInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
            builder = builder.withSlotOption("messages", true);
        }
        return builder.start();
    }

    private static void confirm(PGReplicationStream stream, long lsn) throws SQLException {
        LOG.debug("confirming {}", new Lsn(lsn));
        LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
        stream.setFlushedLSN(position);
        stream.setAppliedLSN(position);
        stream.forceUpdateStatus();
    }

    /** Kafka rejected or timed out an event; the session must restart from the confirmed position. */
    public static final class DeliveryFailedException extends RuntimeException {
        public DeliveryFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
