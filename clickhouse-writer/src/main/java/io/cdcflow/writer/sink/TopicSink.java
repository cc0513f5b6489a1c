package io.cdcflow.writer.sink;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.EventMetadata;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Backoff;
import io.cdcflow.common.ops.Health;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.SchemaTopicReader;
import io.cdcflow.writer.batch.ExportChunks;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.batch.TableBatches;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.schema.SchemaManager;
import io.cdcflow.writer.schema.TableSchema;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to ClickHouse: batches records per table and commits their offsets only after ClickHouse confirmed the
 * INSERT (and the dead-letter topic confirmed any rejects). When ClickHouse fails, the buffered rows are dropped,
 * consumption pauses, and the assigned partitions rewind to their committed offsets; after a backoff the same rows
 * are read again. Memory stays bounded by one batch per table, and nothing unconfirmed is ever committed.
 *
 * <p>This class is the loop (poll, batch triggers, landing and commits, rebalances, health); its parts each do one job:
 * {@link TableRouting} (record to table and columns), {@link MirrorRows} (a mirror's newest row per key),
 * {@link InsertFlights} (the insert thread, splitting refused batches), {@link CommitLedger} (what a landing commits),
 * {@link DeadLetters}, and the {@link Destination} (ClickHouse, or one in memory in the unit tests).
 */
public final class TopicSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSink.class);

    private final WriterConfig config;
    private final Destination destination;
    private final Consumer<byte[], byte[]> consumer;
    private final DeadLetters deadLetters;
    private final InsertFlights inserts;
    private final TableBatches batches;
    /** How long a retry waits: connecting, and inserting again after ClickHouse failed (WRITER_MAX_BACKOFF). */
    private final Backoff retries;
    private final CommitLedger ledger;
    /** Mirrored tables' rows, the newest per key, encoded into their batches when they go up. */
    private final MirrorRows mirrorRows;
    /** Per mirrored table, the version of the last truncate applied: older rows arriving late are not written. */
    private final Map<String, BigInteger> truncatedBefore = new HashMap<>();
    private final java.util.regex.Pattern topics;
    private final SchemaLookup catalog;
    private final TableRouting routing;
    /** The time in nanoseconds: batch ages, backoffs. */
    private final java.util.function.LongSupplier clock;
    private InsertFlights.Flight flight;
    /**
     * Per partition, the offset below which records not committed may have landed all the same: read before an INSERT
     * whose outcome is unknown, or held by another writer before an assignment. Their rows are written without those
     * that did land ({@link Destination#insertMissing}); an entry goes once its partition's commit passes it.
     */
    private final Map<TopicPartition, Long> mayHaveLanded = new HashMap<>();
    private final AtomicReference<Health> health = new AtomicReference<>(Health.notReady("starting"));
    private final Metrics.Counter rowsWritten;
    private final Metrics.Counter batchesWritten;
    private final Metrics.Counter offsetOutOfRange;
    private final Metrics.Counter insertFailures;
    private final io.cdcflow.common.ops.Freshness freshness;
    /** Why partitions are paused, or null: offsets that no longer exist are never skipped silently. */
    private volatile String outOfRange;
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private final java.util.concurrent.atomic.AtomicLong lag = new java.util.concurrent.atomic.AtomicLong();
    private RowEncoder encoder;
    private ExportChunks chunks;
    private volatile boolean stopping;

    public TopicSink(WriterConfig config, Metrics metrics) {
        this(config, metrics, new ClickHouseDestination(config), new KafkaConsumer<>(KafkaClients.consumer(config)),
                new KafkaProducer<>(KafkaClients.producer(config)),
                SchemaLookup.of(new SchemaTopicReader(config.schemaTopic(), KafkaClients.catalog(config))));
    }

    /** The sink over the destination and clients it is given, which it closes. */
    TopicSink(WriterConfig config, Metrics metrics, Destination destination, Consumer<byte[], byte[]> consumer,
              Producer<byte[], byte[]> deadLetters, SchemaLookup catalog) {
        this(config, metrics, destination, consumer, deadLetters, catalog, System::nanoTime);
    }

    /** The same, reading the time in nanoseconds from {@code clock} ({@code System.nanoTime} in production). */
    TopicSink(WriterConfig config, Metrics metrics, Destination destination, Consumer<byte[], byte[]> consumer,
              Producer<byte[], byte[]> deadLetters, SchemaLookup catalog, java.util.function.LongSupplier clock) {
        this.config = config;
        this.topics = config.topicPattern();
        this.destination = destination;
        this.catalog = catalog;
        this.routing = new TableRouting(config, catalog, destination);
        this.clock = clock;
        this.mirrorRows = new MirrorRows(clock);
        this.batches = new TableBatches(clock);
        this.consumer = consumer;
        this.deadLetters = new DeadLetters(deadLetters, config.deadLetterTopic(), metrics);
        this.inserts = new InsertFlights(destination, config.database(), metrics);
        this.retries = config.backoff();
        this.ledger = new CommitLedger(retries);
        this.rowsWritten = metrics.counter("writer_rows_written_total", "Rows inserted into ClickHouse", "table");
        this.batchesWritten = metrics.counter("writer_batches_written_total", "INSERT batches confirmed by ClickHouse", "table");
        this.freshness = new io.cdcflow.common.ops.Freshness(metrics, "writer", "confirmed by ClickHouse", "table");
        this.insertFailures = metrics.counter("writer_insert_failures_total",
                "INSERTs or statements ClickHouse refused or did not answer (retried), per table (\"\" when not one table's)", "table");
        this.offsetOutOfRange = metrics.counter("writer_offset_out_of_range_total",
                "Partitions paused because their committed offset no longer exists in Kafka", "topic");
        metrics.gauge("writer_consumer_lag_records", "Records in the assigned partitions not yet read", lag::get);
        metrics.collector(() -> List.of(new Metrics.Sample("writer_last_error_info", "The last error, as a label", "gauge",
                Map.of("error", lastError.get()), lastError.get().isEmpty() ? 0 : 1)));
    }

    public Health health() {
        return health.get();
    }

    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Runs until {@link #stop()}. */
    public void run() throws InterruptedException {
        Duration backoff = retries.first();
        connect();
        if (config.patterns()) {
            consumer.subscribe(topics, new Rebalance());
        } else {
            consumer.subscribe(config.topics(), new Rebalance());
        }
        while (!stopping) {
            try {
                pollOnce();
                health.set(currentHealth());
                backoff = retries.first();
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                break;
            } catch (TableOutageException e) {
                holdBack(e);
            } catch (ClickHouse.ClickHouseException | ClickHouse.SchemaChangeException | SchemaTopicReader.UnavailableException
                     | DeadLetters.DeadLetterException | TableRouting.SchemaMissingException e) {
                lastError.set(e.getMessage());
                LOG.error("{}; retrying in {} s with the same rows", e.getMessage(), backoff.toMillis() / 1000.0);
                boolean clickhouseFailed = !(e instanceof SchemaTopicReader.UnavailableException || e instanceof DeadLetters.DeadLetterException
                        || e instanceof TableRouting.SchemaMissingException);
                if (clickhouseFailed) {
                    insertFailures.inc("");
                }
                health.set(Health.notReady((clickhouseFailed ? "ClickHouse is failing: " : "") + e.getMessage()));
                rewind();
                backoff = waitForClickHouse(backoff);
            }
        }
        landQuietly();
    }

    private Health currentHealth() {
        if (outOfRange != null) {
            return Health.notReady(outOfRange);
        }
        if (!ledger.failingTables().isEmpty()) {
            return Health.notReady("ClickHouse is failing for " + ledger.failingTables() + ": " + lastError.get());
        }
        return Health.ready("writing to " + destination.describe());
    }

    /**
     * Some tables of a flight did not land: the partitions that carried their rows wait for the tables' backoff and
     * are read again from their committed offsets; every other partition goes on at once.
     */
    private void holdBack(TableOutageException e) {
        Duration backoff = ledger.failed(e.flight, e.failures.keySet(), clock.getAsLong());
        e.failures.keySet().forEach(table -> insertFailures.inc(table));
        lastError.set(e.getMessage());
        LOG.error("{}; their partitions {} are read again in {} s, other tables go on", e.getMessage(),
                e.flight.blocked(e.failures.keySet()), backoff.toMillis() / 1000.0);
        seekBackToCommitted();
        Set<TopicPartition> held = new HashSet<>(ledger.held());
        held.retainAll(consumer.assignment());
        consumer.pause(held);
        health.set(currentHealth());
    }

    private void connect() throws InterruptedException {
        Duration backoff = retries.first();
        while (!stopping) {
            try {
                String connected = destination.connect();
                encoder = destination.encoder();
                chunks = new ExportChunks(encoder);
                LOG.info("connected to {}", connected);
                return;
            } catch (ClickHouse.ClickHouseException | SchemaManager.ClusterMissingException e) {
                lastError.set(e.getMessage());
                health.set(Health.notReady("cannot reach ClickHouse: " + e.getMessage()));
                LOG.warn("{}; retrying in {} s", e.getMessage(), backoff.toMillis() / 1000.0);
                TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                backoff = retries.after(backoff);
            }
        }
    }

    private void pollOnce() {
        Set<TopicPartition> due = ledger.release(clock.getAsLong());
        if (!due.isEmpty()) {
            due.retainAll(consumer.assignment());
            consumer.resume(due);
        }
        ConsumerRecords<byte[], byte[]> records = poll();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                accept(partition, record);
                if (batchFull()) {
                    flush();
                }
            }
        }
        if (flight != null && flight.done().isDone()) {
            land();
        }
        lag.set(currentLag());
        if (batches.anyOlderThan(config.batchMaxAge().toNanos())
                || mirrorRows.oldestNanos() >= config.batchMaxAge().toNanos()
                || (batches.isEmpty() && mirrorRows.isEmpty() && !ledger.isEmpty())) {
            flush();
        }
    }

    private void accept(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        String rowIn = null;
        try {
            TableSchema schema = routing.tableOf(record, () -> {
                flush(); // rows encoded for the old columns land before the table changes
                land();
            });
            TableBatch batch = batches.of(schema.table());
            TableSchema pending = mirrorRows.schema(schema.table());
            if ((batch.rows() > 0 && batch.columns() != schema.insertColumns()) || (pending != null && pending != schema)) {
                flush(); // the rows so far have the old columns: they go in their own INSERT
                batch = batches.of(schema.table());
            }
            if (schema.mirrored()) {
                rowIn = mirror(schema, record) ? schema.table() : null;
            } else if (ExportChunks.isChunk(record.headers())) {
                TableBatch into = batch;
                chunks.encode(schema, record.headers(), record.value(), batch,
                        () -> into.sourceOfLast(partition, record.offset(), record.timestamp()),
                        (row, message) -> deadLetters.record(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(),
                                record.key(), row), message));
                rowIn = schema.table();
            } else {
                encoder.encode(schema, record.value(), batch);
                batch.sourceOfLast(partition, record.offset(), record.timestamp());
                rowIn = schema.table();
            }
        } catch (RowEncoder.BadRowException | Json.MalformedJsonException | ChangeEventCodec.InvalidEventException e) {
            deadLetters.record(record, e.getMessage());
        }
        ledger.read(partition, record.offset(), rowIn);
    }

    /**
     * A change event of a captured table, as a row of its mirror ({@link MirrorRows}), or, for a truncate, the end of
     * every older row. Whether it added a row.
     */
    private boolean mirror(TableSchema schema, ConsumerRecord<byte[], byte[]> record) {
        ChangeEvent event = ChangeEventCodec.fromRecord(record.key(), record.value());
        EventMetadata meta = event.metadata();
        BigInteger version = schema.versionType().equals("UInt128")
                ? new BigInteger(Long.toUnsignedString(meta.commitLsn().value())).shiftLeft(64).add(BigInteger.valueOf(meta.seq()))
                : new BigInteger(Long.toUnsignedString(meta.commitLsn().value()));
        String table = schema.table();
        if (meta.operation() == Operation.TRUNCATE) {
            flush();
            land();
            destination.deleteBefore(schema, version.toString());
            truncatedBefore.put(table, version);
            LOG.info("truncate of {} at {}: deleted every older row of {}.{}", meta.schema() + "." + meta.table(),
                    meta.commitLsn(), config.database(), table);
            return false;
        }
        BigInteger truncated = truncatedBefore.get(table);
        if (truncated != null && version.compareTo(truncated) < 0) {
            return false; // written before a truncate that was applied already (it came through another partition)
        }
        mirrorRows.add(schema, event, version, record);
        return true;
    }

    private boolean batchFull() {
        if (batches.anyFull(config.batchRows(), config.batchBytes())) {
            return true;
        }
        for (String table : mirrorRows.tables()) {
            if (mirrorRows.rows(table) >= config.batchRows() || mirrorRows.bytes(table) >= config.batchBytes()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands every waiting batch to ClickHouse on the insert thread and returns: the loop reads and encodes the next
     * batch while ClickHouse parses this one. At most one flight is in the air; it lands (its offsets committed)
     * before the next one starts, so offsets are committed in order and only for confirmed rows.
     */
    private void flush() {
        land();
        // after landing: the TOAST look-ups see every earlier row of their keys
        for (String table : mirrorRows.tables()) {
            mirrorRows.drain(table, batches.of(table), encoder, destination.toast())
                    .forEach(refused -> deadLetters.record(refused.record(), refused.error()));
        }
        Map<String, TableBatch> loaded = batches.takeLoaded();
        if (loaded.isEmpty() && ledger.isEmpty()) {
            return;
        }
        Set<String> readAgain = new HashSet<>();
        if (!mayHaveLanded.isEmpty()) {
            loaded.forEach((table, batch) -> {
                if (batch.anyBefore(mayHaveLanded)) {
                    readAgain.add(table);
                }
            });
        }
        flight = inserts.launch(loaded, ledger.takeOff(), readAgain);
    }

    /**
     * Polls. A partition never committed starts from its beginning. A committed offset that no longer exists (Kafka
     * deleted those records by retention before they were written) is not skipped: the partition is paused, the
     * writer reports not ready with the partitions and offsets, and {@code writer_offset_out_of_range_total} counts
     * it, until an operator moves the group's offsets on purpose (README, Operations); other partitions flow on.
     */
    private ConsumerRecords<byte[], byte[]> poll() {
        try {
            return consumer.poll(Duration.ofMillis(50));
        } catch (org.apache.kafka.clients.consumer.NoOffsetForPartitionException e) {
            consumer.seekToBeginning(e.partitions());
            return ConsumerRecords.empty();
        } catch (org.apache.kafka.clients.consumer.OffsetOutOfRangeException e) {
            consumer.pause(e.offsetOutOfRangePartitions().keySet());
            e.offsetOutOfRangePartitions().keySet().forEach(tp -> offsetOutOfRange.inc(tp.topic()));
            String message = "committed offsets " + e.offsetOutOfRangePartitions() + " no longer exist in Kafka: records were "
                    + "deleted by the topics' retention before they were written to ClickHouse; those partitions are paused. "
                    + "Re-snapshot the source, or move group " + config.groupId() + "'s offsets on purpose with "
                    + "kafka-consumer-groups.sh --reset-offsets, then restart the writer";
            LOG.error("{}", message);
            outOfRange = message;
            return ConsumerRecords.empty();
        }
    }

    /**
     * Waits for the flight in the air, then commits the offsets it covers: all of them when every table landed, else
     * those of partitions that fed no failed table (and throws {@link TableOutageException} naming the failures).
     */
    private void land() {
        if (flight == null) {
            return;
        }
        InsertFlights.Flight landing = flight;
        flight = null;
        Map<String, InsertFlights.Outcome> outcomes;
        try {
            outcomes = InsertFlights.await(landing);
        } catch (RuntimeException e) {
            mayHaveLanded(landing.offsets(), landing.offsets().offsets().keySet());
            throw e;
        }
        // The landed batches stay untouched until the next flush takes them back as spares.
        Map<String, ClickHouse.ClickHouseException> failures = new LinkedHashMap<>();
        outcomes.forEach((table, outcome) -> {
            if (outcome.failure() != null) {
                failures.put(table, outcome.failure());
                return;
            }
            TableBatch batch = landing.batches().get(table);
            rowsWritten.add(batch.rows() - outcome.rejected().size(), table);
            if (batch.newestTimestamp() >= 0) {
                freshness.handled(table, batch.newestTimestamp());
            }
            batchesWritten.inc(table);
            ledger.landed(table);
            outcome.rejected().forEach(deadLetters::row);
        });
        deadLetters.confirm(); // a record it did not take is read again, and dead-lettered again, before any commit
        Map<TopicPartition, Long> commit = landing.offsets().committable(failures.keySet());
        if (!commit.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            commit.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
            consumer.commitSync(offsets);
            commit.forEach((partition, offset) -> mayHaveLanded.computeIfPresent(partition, (p, below) -> offset >= below ? null : below));
        }
        if (!failures.isEmpty()) {
            mayHaveLanded(landing.offsets(), landing.offsets().blocked(failures.keySet()));
            throw new TableOutageException(landing.offsets(), failures);
        }
    }

    /** The records of {@code partitions} in a flight whose INSERTs failed may have landed: a failure may come after. */
    private void mayHaveLanded(CommitLedger.Flight flight, Collection<TopicPartition> partitions) {
        partitions.forEach(p -> {
            Long next = flight.offsets().get(p);
            if (next != null) {
                mayHaveLanded.merge(p, next, Math::max);
            }
        });
    }

    /** Lands the flight in the air if it succeeds; a failure is only logged (its rows will be read again). */
    private void landQuietly() {
        try {
            land();
        } catch (RuntimeException e) {
            LOG.warn("the last INSERT did not complete ({}); its rows are read again", e.getMessage());
        }
    }

    /** Forgets unconfirmed rows and reads them again from the committed offsets. */
    private void rewind() {
        landQuietly();
        seekBackToCommitted();
    }

    /** Drops what is buffered and moves every assigned partition back to its committed offset. */
    private void seekBackToCommitted() {
        batches.clear();
        mirrorRows.clear();
        ledger.forget();
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition partition : assigned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset.offset());
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
        }
    }

    /** Keeps the group membership alive (paused polls) until ClickHouse answers or the backoff ends. */
    private Duration waitForClickHouse(Duration backoff) {
        consumer.pause(consumer.assignment());
        long until = clock.getAsLong() + backoff.toNanos();
        while (!stopping && clock.getAsLong() < until) {
            consumer.poll(Duration.ofMillis(200));
        }
        consumer.resume(consumer.assignment());
        return retries.after(backoff);
    }

    /** Records not yet read, from the consumer's last fetch; the consumer is not thread-safe, so the loop asks. */
    private long currentLag() {
        long total = 0;
        for (TopicPartition partition : consumer.assignment()) {
            total += consumer.currentLag(partition).orElse(0);
        }
        return total;
    }

    /** Before partitions go to another writer: write and commit what we hold, or drop it for the new owner to redo. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            ledger.revoked(partitions);
            try {
                flush();
                land();
            } catch (RuntimeException e) {
                LOG.warn("could not write before a rebalance ({}); the next owner re-reads those rows", e.getMessage());
                flight = null;
                // Partitions this writer keeps (cooperative rebalancing) must not skip the dropped rows either.
                seekBackToCommitted();
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("assigned {}", partitions);
            if (partitions.isEmpty()) {
                return;
            }
            // a writer that held them may have landed rows without committing them, up to what the partitions hold now
            try {
                consumer.endOffsets(partitions).forEach((partition, end) -> mayHaveLanded.merge(partition, end, Math::max));
            } catch (RuntimeException e) {
                LOG.warn("could not read the end offsets of {} ({}): all of their rows are compared with ClickHouse's", partitions, e.getMessage());
                partitions.forEach(partition -> mayHaveLanded.put(partition, Long.MAX_VALUE));
            }
        }
    }

    @Override
    public void close() {
        inserts.close();
        catalog.close();
        // a static member leaves only when told to: a stopped writer's partitions go to the others at once
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10))
                .withGroupMembershipOperation(org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        deadLetters.close();
        destination.close();
    }

    /** Tables of a flight that ClickHouse did not take; the offsets of partitions that fed none of them are committed. */
    static final class TableOutageException extends RuntimeException {
        final CommitLedger.Flight flight;
        final Map<String, ClickHouse.ClickHouseException> failures;

        TableOutageException(CommitLedger.Flight flight, Map<String, ClickHouse.ClickHouseException> failures) {
            super("ClickHouse did not take the rows of " + describe(failures));
            this.flight = flight;
            this.failures = failures;
        }

        private static String describe(Map<String, ClickHouse.ClickHouseException> failures) {
            StringBuilder text = new StringBuilder();
            failures.forEach((table, e) -> text.append(text.length() == 0 ? "" : "; ").append(table).append(" (").append(e.getMessage()).append(')'));
            return text.toString();
        }
    }
}
