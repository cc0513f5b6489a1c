package io.cdcflow.writer.sink;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.schema.SchemaManager;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The table a record lands in, with its columns: a fact's or dimension's topic names its table, a change event's
 * schema its mirror. The table is declared from the newest schema of the record's source (the record's header names
 * the schema it was written with, the schema topic says which is the newest of that table or fact), and made or
 * altered first when it differs from what the destination holds.
 */
final class TableRouting {
    private final WriterConfig config;
    private final SchemaLookup catalog;
    private final Destination destination;
    private final java.util.regex.Pattern topics;
    /** Whether each topic seen matches the configured topics: a regex match per record was a twentieth of the loop. */
    private final Map<String, Boolean> wanted = new HashMap<>();
    private final Map<String, String> tables = new HashMap<>();
    /** The schema id the last record named, and its schema (a published schema never changes). */
    private byte[] lastSchemaId;
    private RowSchema lastNamed;

    TableRouting(WriterConfig config, SchemaLookup catalog, Destination destination) {
        this.config = config;
        this.catalog = catalog;
        this.destination = destination;
        this.topics = config.topicPattern();
    }

    /**
     * The table {@code record} lands in.
     *
     * @param beforeChange run before a table's columns change: the rows encoded for the old ones land first
     * @throws RowEncoder.BadRowException when the record cannot become a row (an unknown topic, no key, no schema)
     * @throws SchemaMissingException when the schema it names is not (yet) in the schema topic
     */
    TableSchema tableOf(ConsumerRecord<byte[], byte[]> record, Runnable beforeChange) {
        if (!wanted.computeIfAbsent(record.topic(), t -> topics.matcher(t).matches())) {
            throw new RowEncoder.BadRowException("unknown topic " + record.topic() + " (WRITER_TOPICS is " + config.topics() + ")");
        }
        if (record.value() == null || record.key() == null) {
            throw new RowEncoder.BadRowException("record has no " + (record.key() == null ? "key" : "value"));
        }
        RowSchema named = named(record);
        RowSchema latest = catalog.latest(named.subject());
        if (latest.primaryKey().isEmpty()) {
            throw new RowEncoder.BadRowException(named.subject() + " has no primary key or replica identity columns "
                    + "(schema " + latest.id() + "): its rows cannot be told apart, so it cannot be written to a ReplacingMergeTree");
        }
        String table = RowSchema.TABLE.equals(named.kind()) ? SchemaManager.mirrorTable(named)
                : tables.computeIfAbsent(record.topic(), WriterConfig::tableFor);
        TableSchema current = destination.table(table);
        // the catalog hands out one instance per schema: comparing it first spares a fingerprint per record
        if (current == null || (current.source() != latest && !current.sourceId().equals(latest.id()))) {
            if (current != null) {
                beforeChange.run();
            }
            current = destination.ensure(table, latest);
        }
        return current;
    }

    /** The schema the record's header names. */
    private RowSchema named(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(RowSchema.HEADER);
        if (header == null) {
            throw new RowEncoder.BadRowException("record has no " + RowSchema.HEADER + " header, so its columns' types are "
                    + "unknown: records must come from a wal-producer or streams-app that publishes schemas to " + catalog.topic());
        }
        byte[] id = header.value();
        if (Arrays.equals(id, lastSchemaId)) {
            return lastNamed; // runs of records name the same schema: no String and lookup per record
        }
        String text = new String(id, StandardCharsets.US_ASCII);
        RowSchema named = catalog.get(text);
        if (named == null) {
            throw new SchemaMissingException("the record at " + record.topic() + "[" + record.partition() + "]@" + record.offset()
                    + " names schema " + text + ", which schema topic " + catalog.topic() + " does not hold (yet): waiting "
                    + "for it. If it never comes, WRITER_SCHEMA_TOPIC is not where the record's producer publishes its "
                    + "schemas (a wal-producer or streams-app with the topic prefix shop publishes them to shop._schemas)");
        }
        lastSchemaId = id;
        lastNamed = named;
        return named;
    }

    /**
     * A record names a schema the schema topic does not hold: a schema still on its way, or a writer reading another
     * schema topic than the producer's. Not the record's fault: it is read again, never dead-lettered.
     */
    static final class SchemaMissingException extends RuntimeException {
        SchemaMissingException(String message) {
            super(message);
        }
    }
}
