package io.cdcflow.streams.topology;

import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.MetaColumns;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.facts.FactPlan;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the chunks of a facts export ({@link FactsExport}: a fact's rows as PostgreSQL computed them in the
 * wal-producer's snapshot) on to the fact's output topic, with the output's schema in the {@code cdc.schema_id} header
 * like every fact record, for the writer to land as they are. Only chunks of a view this application defines the same
 * way (the hash of its name and SELECT) pass; the same test decides whether {@link VersionStamper} leaves the view's
 * snapshot rows to the export, so the two never disagree. Any other chunk is dropped, counted and logged once per view:
 * the fact's rows then come from this application's own computation, as without an export.
 */
final class ExportedChunks implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportedChunks.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final Map<String, FactPlan> plans = new HashMap<>();
    private final OutputSchemas schemas;
    private final SnapshotPositions snapshots;
    private final Metrics.Counter dropped;
    private ProcessorContext<byte[], byte[]> context;

    ExportedChunks(List<FactPlan> plans, OutputSchemas schemas, SnapshotPositions snapshots, Metrics.Counter dropped) {
        plans.forEach(p -> this.plans.put(p.name(), p));
        this.schemas = schemas;
        this.snapshots = snapshots;
        this.dropped = dropped;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String fact = text(record, FactsExport.FACT_HEADER);
        String hash = text(record, FactsExport.HASH_HEADER);
        FactPlan plan = fact == null ? null : plans.get(fact);
        String why = null;
        if (plan == null) {
            why = fact == null ? "it names no fact" : "this application has no fact " + fact;
        } else if (!snapshots.defines(fact, hash)) {
            why = "the wal-producer's facts file defines " + fact + " otherwise than this application's (POSTGRES_CDC_FACTS_FILE "
                    + "and STREAMS_FACTS_FILE differ)";
        } else if (!takes(plan)) {
            why = fact + " has a column named like the version or delete flag the writer adds";
        }
        if (why != null) {
            dropped.add(1, fact == null ? "" : fact);
            if (WARNED.add(fact + "/" + hash)) {
                LOG.error("facts export chunk(s) of {} dropped: {}; this application computes the view's snapshot rows itself",
                        fact, why);
            }
            return;
        }
        RecordHeaders headers = new RecordHeaders();
        String schemaId = schemas.idFor(fact); // null: none derivable, the writer dead-letters it as the fact's own records
        if (schemaId != null) {
            headers.add(RowSchema.HEADER, schemaId.getBytes(StandardCharsets.US_ASCII));
        }
        for (String name : List.of(FactsExport.FACT_HEADER, FactsExport.HASH_HEADER, FactsExport.LSN_HEADER)) {
            Header h = record.headers().lastHeader(name);
            if (h != null) {
                headers.add(name, h.value());
            }
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers));
    }

    /**
     * Whether an export's rows can stand for {@code plan}'s: they carry the version and delete flag under their usual
     * names, which the plan's own columns must leave free. {@link VersionStamper} leaves rows to an export only then.
     */
    static boolean takes(FactPlan plan) {
        return plan.meta().equals(MetaColumns.DEFAULT);
    }

    /** A chunk's topic: the output topic of the fact it names, which is named after the fact. */
    static final class ToItsFact implements org.apache.kafka.streams.processor.TopicNameExtractor<byte[], byte[]> {
        @Override
        public String extract(byte[] key, byte[] value, org.apache.kafka.streams.processor.RecordContext context) {
            Header h = context.headers().lastHeader(FactsExport.FACT_HEADER);
            return new String(h.value(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "the topic of the fact the chunk names";
        }
    }

    private static String text(Record<byte[], byte[]> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
