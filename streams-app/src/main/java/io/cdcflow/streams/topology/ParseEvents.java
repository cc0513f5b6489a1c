package io.cdcflow.streams.topology;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.LogSampler;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses raw change events. A record that cannot be processed (malformed JSON, no key, no {@code _metadata}, a table
 * this topology does not read, a truncate) is counted, logged once with its coordinates, and marked failed with the
 * error in a {@code cdc.error} header, for the dead-letter topic. Nothing here throws: a bad record never stops the
 * app.
 */
final class ParseEvents implements FixedKeyProcessor<String, byte[], ParsedEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(ParseEvents.class);
    static final String ERROR_HEADER = "cdc.error";

    private final Set<String> tables;
    private final DeadLetters deadLetters;
    private final OutputSchemas schemas;
    private FixedKeyProcessorContext<String, ParsedEvent> context;

    ParseEvents(Set<String> tables, Metrics.Counter deadLetters, OutputSchemas schemas) {
        this.tables = tables;
        this.deadLetters = new DeadLetters(deadLetters);
        this.schemas = schemas;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ParsedEvent> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        ParsedEvent parsed = parse(record.key(), record.value());
        if (parsed.failed()) {
            parsed = new ParsedEvent(parsed.table(), null, parsed.error(), record.value());
        }
        observeSchema(schemas, record.headers(), parsed.failed());
        if (parsed.failed()) {
            deadLetters.mark(record.headers(), context.recordMetadata(), parsed.error());
        }
        context.forward(record.withValue(parsed));
    }

    /**
     * Tells {@code schemas} the schema a record names, and drops its header from a record that goes on (not
     * {@code failed}): none of the processors after the parse needs it, and each of them would copy it with the record.
     */
    static void observeSchema(OutputSchemas schemas, Headers headers, boolean failed) {
        Header schema = headers.lastHeader(RowSchema.HEADER);
        if (schema != null) {
            schemas.observe(new String(schema.value(), StandardCharsets.US_ASCII));
            if (!failed) {
                headers.remove(RowSchema.HEADER);
            }
        }
    }

    /** Counts, logs (sampled) and marks the records that go to the dead-letter topic. */
    static final class DeadLetters {
        private final Metrics.Counter counter;
        private final LogSampler log = new LogSampler(LOG::warn);

        DeadLetters(Metrics.Counter counter) {
            this.counter = counter;
        }

        /** Counts and logs a record that cannot be processed, and gives it the error and its coordinates as headers. */
        void mark(Headers headers, java.util.Optional<RecordMetadata> metadata, String error) {
            String topic = metadata.map(RecordMetadata::topic).orElse("unknown");
            String where = metadata.map(ParseEvents::where).orElse("unknown position");
            counter.inc(topic, reason(error));
            log.record(topic + ": " + reason(error), "dead-lettered record at " + where + ": " + error);
            headers.add(ERROR_HEADER, error.getBytes(StandardCharsets.UTF_8));
            headers.add("cdc.source", where.getBytes(StandardCharsets.UTF_8));
        }
    }

    ParsedEvent parse(String key, byte[] value) {
        if (value == null) {
            return new ParsedEvent(null, null, "record has no value (a tombstone)", null);
        }
        if (key == null) {
            return new ParsedEvent(null, null, "record has no key: change events are keyed by primary key", null);
        }
        try {
            ChangeEvent event = ChangeEventCodec.fromRecord(key.getBytes(StandardCharsets.UTF_8), value);
            String table = event.metadata().table();
            if (!tables.contains(table)) {
                return new ParsedEvent(table, null, "unknown table '" + table + "' (this topology reads " + tables + ")", null);
            }
            if (event.metadata().operation() == Operation.TRUNCATE) {
                return new ParsedEvent(table, null, "truncate of " + table + " is not applied by the streams-app: "
                        + "re-snapshot the pipeline to rebuild the facts", null);
            }
            if (event.key().isEmpty()) {
                return new ParsedEvent(table, null, "record key is an empty object: no primary key", null);
            }
            // decoded once: the source table applies this event, neither re-encoded nor parsed again
            return new ParsedEvent(table, event, null, null);
        } catch (Json.MalformedJsonException | ChangeEventCodec.InvalidEventException e) {
            return new ParsedEvent(null, null, e.getMessage(), null);
        }
    }

    private static String reason(String error) {
        if (error.startsWith("malformed JSON")) {
            return "malformed_json";
        }
        if (error.startsWith("unknown table")) {
            return "unknown_table";
        }
        if (error.startsWith("record has no key") || error.startsWith("record key")) {
            return "missing_key";
        }
        if (error.startsWith("truncate")) {
            return "truncate";
        }
        return "invalid_event";
    }

    private static String where(RecordMetadata m) {
        return m.topic() + "[" + m.partition() + "]@" + m.offset();
    }
}
