package io.cdcflow.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.schema.MetaColumns;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactRow;
import io.cdcflow.streams.facts.FactRows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.Murmur3;

/**
 * Sends each computed fact row that differs from the last one sent for its key, as the output record: the row's JSON
 * with its version and delete flag ({@link MetaColumns}), keyed by the fact's key, with the {@code cdc.schema_id}
 * header of the output's schema. A row equal to the last one sent (every column and the delete flag, compared by a
 * 128-bit hash the version store keeps) is not sent again, under exactly-once: a change to a joined row that no
 * column of the fact shows costs nothing downstream.
 *
 * <p>The version is the newest commit LSN among the joined inputs, raised when needed to one more than the last
 * version sent for the key: versions strictly increase per key in emission order, so the last record Kafka Streams
 * emits for a key, the only one it promises correct, is the one a ReplacingMergeTree keeps. (Why this is needed and
 * why it suffices: topology-docs.)
 *
 * <p>Where the wal-producer exported the fact's rows as PostgreSQL computed them at its snapshot's LSN S ({@code
 * FactsExport}, under exactly-once only), a row whose inputs are all at most S old (its version at most S) is not
 * sent: it is recorded as sent at S, the version the exported rows land with, unless the key already had a row sent at
 * S or later (which the exported one would not replace). Deletes are always sent. So each key's newest row in ClickHouse
 * is either PostgreSQL's at S, when no input of it changed after S, or one sent here with a version above S.
 */
final class VersionStamper implements Processor<String, FactRow, String, byte[]> {
    private final String storeName;
    private final FactPlan plan;
    private final OutputSchemas schemas;
    private final MetaColumns meta;
    /** Whether a row equal to the last one sent is dropped (exactly-once only: {@link FactTopology}). */
    private final boolean suppress;
    /** The fact's lag in seconds: the commit time a record carries is its triggering change's (the wal-producer's). */
    private final io.cdcflow.common.ops.Freshness.Series lag;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Sent> sent;
    private final Json.Writer json = new Json.Writer();

    private static final long EXPORTED = Long.MIN_VALUE;
    /** Where the facts exports stand; null: none is taken. */
    private final SnapshotPositions snapshots;

    /**
     * The last row sent for a key: its version and the hash of its columns and delete flag; {@code exported} when the
     * row was not sent but left to a facts export at that version.
     */
    record Sent(long version, long hash1, long hash2, boolean exported) {
        Sent(long version, long hash1, long hash2) {
            this(version, hash1, hash2, false);
        }
    }

    VersionStamper(String storeName, FactPlan plan, OutputSchemas schemas, boolean suppress, io.cdcflow.common.ops.Freshness.Series lag) {
        this(storeName, plan, schemas, suppress, lag, null);
    }

    VersionStamper(String storeName, FactPlan plan, OutputSchemas schemas, boolean suppress, io.cdcflow.common.ops.Freshness.Series lag,
                   SnapshotPositions snapshots) {
        this.snapshots = snapshots;
        this.lag = lag;
        this.suppress = suppress;
        this.storeName = storeName;
        this.plan = plan;
        this.schemas = schemas;
        this.meta = plan.meta();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.sent = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, FactRow> record) {
        FactRow fact = record.value();
        if (fact == null || fact.lsn() == 0) {
            return;
        }
        byte[] columns = json.bytes(fact.columns());
        long[] hash = Murmur3.hash128(columns);
        if (fact.deleted()) {
            hash[0] = ~hash[0];
        }
        Sent last = sent.get(record.key());
        lag.handled(record.timestamp());
        if (suppress && last != null && last.hash1 == hash[0] && last.hash2 == hash[1]) {
            return;
        }
        long exportedAt = suppress && snapshots != null && !fact.deleted() ? snapshots.exportedAt(plan.name()) : 0;
        if (exportedAt != 0 && Long.compareUnsigned(fact.lsn(), exportedAt) <= 0
                && (last == null || last.exported || Long.compareUnsigned(last.version, exportedAt) < 0)) {
            sent.put(record.key(), new Sent(exportedAt, hash[0], hash[1], true));
            return;
        }
        long candidate = fact.lsn();
        long version = last != null && Long.compareUnsigned(candidate, last.version) <= 0 ? last.version + 1 : candidate;
        sent.put(record.key(), new Sent(version, hash[0], hash[1]));
        // The inputs' headers mean nothing here: the record names its own output's schema.
        RecordHeaders headers = new RecordHeaders();
        String schemaId = schemas.idFor(plan.name());
        if (schemaId != null) {
            headers.add(RowSchema.HEADER, schemaId.getBytes(StandardCharsets.US_ASCII));
        }
        context.forward(new Record<>(FactRows.key(plan, fact.columns()), stamped(fact, columns, version), record.timestamp(), headers));
    }

    /** The row's JSON with the version and delete flag appended (the columns' JSON is an object, never empty: the key). */
    private byte[] stamped(FactRow fact, byte[] columns, long version) {
        MetaColumns names = meta;
        if (fact.columns().has(names.version()) || fact.columns().has(names.deleted())) { // a column added since the start
            List<String> present = new ArrayList<>();
            fact.columns().fieldNames().forEachRemaining(present::add);
            names = MetaColumns.avoiding(present);
        }
        byte[] tail = (",\"" + names.version() + "\":" + Long.toUnsignedString(version) + ",\"" + names.deleted() + "\":"
                + (fact.deleted() ? 1 : 0) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[columns.length - 1 + tail.length];
        System.arraycopy(columns, 0, out, 0, columns.length - 1);
        System.arraycopy(tail, 0, out, columns.length - 1, tail.length);
        return out;
    }

    /**
     * The version store's values: 24 bytes, the version's top bit (no LSN reaches it) telling a row left to a facts
     * export.
     */
    static Serde<Sent> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : ByteBuffer.allocate(24).putLong(s.exported ? s.version | EXPORTED
                : s.version).putLong(s.hash1).putLong(s.hash2).array(), (Deserializer<Sent>) (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    if (bytes.length != 24) {
                        throw new IllegalStateException("state in " + topic + " was written by an earlier streams-app version: "
                                + "reset the application (README, Operations: 'Changing the facts file')");
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    long version = b.getLong();
                    return new Sent(version & ~EXPORTED, b.getLong(), b.getLong(), (version & EXPORTED) != 0);
                });
    }
}
