package io.cdcflow.wal.snapshot;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cdcflow.common.facts.FactQueries;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.wal.config.WalProducerConfig;
import io.cdcflow.wal.pgoutput.TupleData;
import io.cdcflow.wal.publish.KafkaPublisher;
import io.cdcflow.wal.publish.SnapshotStateTopic;
import io.cdcflow.wal.setup.Identifiers;
import io.cdcflow.wal.stream.ChangeAssembler;
import io.cdcflow.wal.types.PgTypeRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facts of the snapshot, computed by PostgreSQL ({@link FactsExport}): each view of {@code POSTGRES_CDC_FACTS_FILE}
 * runs as {@code COPY (SELECT ...) TO STDOUT} in the snapshot's own transaction, before its tables' rows, so its rows
 * are the view exactly at the snapshot's point, at the version of the snapshot's LSN, not deleted. A view whose every
 * column PostgreSQL prints as the writer takes it sends COPY's own lines; any other view's rows become the JSON the
 * streams-app would send (values mapped as the events map them). Rows travel in chunks of a quarter of the largest
 * record, a Kafka record per some thousand rows.
 *
 * <p>The export is announced in the state topic before the snapshot's first row and never withdrawn: a snapshot
 * started again at the same position (a crash in the middle) exports the queries of the announcement, whatever the
 * setting says now, since a streams-app may already count on them.
 */
public final class FactsExporter {
    private static final Logger LOG = LoggerFactory.getLogger(FactsExporter.class);

    private final WalProducerConfig config;
    private final KafkaPublisher publisher;
    private final ChangeAssembler assembler;
    private final SnapshotStateTopic state;
    /** The columns of each view this exporter's announcement accepted, read while probing it. */
    private final Map<FactQueries.Query, Columns> described = new java.util.HashMap<>();

    FactsExporter(WalProducerConfig config, KafkaPublisher publisher, ChangeAssembler assembler, SnapshotStateTopic state) {
        this.config = config;
        this.publisher = publisher;
        this.assembler = assembler;
        this.state = state;
    }

    /**
     * The export of the snapshot at {@code lsn}, announced: the one announced before at this position (of a slot kept),
     * else the facts file's views that PostgreSQL accepts (a view it refuses is left out, with an error naming it, and computed by
     * the streams-app as before). Null when there is nothing to export.
     */
    FactsExport announce(Connection txn, long lsn, boolean slotKept) throws SQLException, InterruptedException {
        // only a slot kept from an earlier start can have had a snapshot at this position: a new slot's point is new
        FactsExport earlier = slotKept ? state.factsExport() : null;
        if (earlier != null && earlier.lsn() == lsn) {
            LOG.info("facts export at {} announced before (a snapshot started again at the same position): exporting {} again",
                    new io.cdcflow.common.event.Lsn(lsn), earlier.facts().keySet());
            return earlier;
        }
        if (config.factsFile() == null) {
            return null;
        }
        boolean builtIn = config.factsFile().equals(WalProducerConfig.BUILT_IN_FACTS);
        String origin = builtIn ? "the built-in facts " + WalProducerConfig.BUILT_IN_FACTS_RESOURCE : config.factsFile() + " (POSTGRES_CDC_FACTS_FILE)";
        Map<String, FactQueries.Query> accepted = new LinkedHashMap<>();
        searchPath(txn);
        for (FactQueries.Query query : FactQueries.parse(factsText(builtIn), origin)) {
            Savepoint savepoint = txn.setSavepoint();
            try {
                described.put(query, describe(txn, query));
                accepted.put(query.name(), query);
            } catch (SQLException e) {
                txn.rollback(savepoint);
                // the built-in facts need the demo's tables: elsewhere they are not meant, and not worth an error
                String line = "{}: view {} is not exported (the streams-app computes its snapshot's rows): PostgreSQL refused its "
                        + "SELECT: {}";
                if (builtIn) {
                    LOG.info(line, origin, query.name(), e.getMessage());
                } else {
                    LOG.error(line, origin, query.name(), e.getMessage());
                }
                continue;
            }
            txn.releaseSavepoint(savepoint);
        }
        resetSearchPath(txn);
        if (accepted.isEmpty()) {
            return null;
        }
        FactsExport export = new FactsExport(config.slot(), lsn, accepted);
        state.announce(export);
        LOG.info("facts export at {} announced: {}", new io.cdcflow.common.event.Lsn(lsn), accepted.keySet());
        return export;
    }

    private String factsText(boolean builtIn) {
        try {
            if (builtIn) {
                try (java.io.InputStream in = FactsExporter.class.getClassLoader().getResourceAsStream(WalProducerConfig.BUILT_IN_FACTS_RESOURCE)) {
                    if (in == null) {
                        throw new IllegalStateException("the built-in facts " + WalProducerConfig.BUILT_IN_FACTS_RESOURCE + " are missing from the jar");
                    }
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return Files.readString(Path.of(config.factsFile()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the facts file " + config.factsFile() + " (POSTGRES_CDC_FACTS_FILE): "
                    + e.getMessage(), e);
        }
    }

    /** Sends every row of every view of {@code export}, and waits until Kafka acknowledged them all. */
    void export(Connection txn, FactsExport export) throws SQLException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        searchPath(txn);
        for (FactQueries.Query query : export.facts().values()) {
            view(txn, export, query, failure);
        }
        resetSearchPath(txn);
        publisher.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("Kafka did not acknowledge every chunk of the facts export to " + config.factsTopic()
                    + ": " + failure.get().getMessage(), failure.get());
        }
    }

    private long view(Connection txn, FactsExport export, FactQueries.Query query, AtomicReference<Exception> failure)
            throws SQLException {
        Columns columns = described.get(query); // none when the announcement is an earlier start's
        if (columns == null) {
            columns = describe(txn, query);
        }
        String[] names = columns.names();
        int[] types = columns.types();
        int chunkBytes = Math.max(16 * 1024, config.maxRecordBytes() / 4);
        RecordHeaders headers = new RecordHeaders();
        headers.add(FactsExport.FACT_HEADER, query.name().getBytes(StandardCharsets.UTF_8));
        headers.add(FactsExport.HASH_HEADER, query.hash().getBytes(StandardCharsets.US_ASCII));
        headers.add(FactsExport.LSN_HEADER, Long.toUnsignedString(export.lsn()).getBytes(StandardCharsets.US_ASCII));
        boolean copyText = java.util.Arrays.stream(types).allMatch(FactsExporter::takenAsText);
        if (copyText) {
            headers.add(FactsExport.COLUMNS_HEADER, Json.bytes(Json.MAPPER.valueToTree(names)));
        }
        Chunks chunks = new Chunks(query.name().getBytes(StandardCharsets.UTF_8), headers, chunkBytes, failure);
        CopyOut copy = txn.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query.sql() + ") TO STDOUT");
        try {
            long started = System.nanoTime();
            long rows = copyText ? copyText(copy, query, chunks) : json(copy, query, names, types, export.lsn(), chunks);
            LOG.info("facts export of {}: {} rows in {} ms, as {}", query.name(), rows, (System.nanoTime() - started) / 1_000_000,
                    copyText ? "PostgreSQL's COPY text" : "JSON (a column's type needs the value mapper)");
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** A view's columns: names and type OIDs, in its rows' order. */
    private record Columns(String[] names, int[] types) {
    }

    /**
     * The view's columns, from its SELECT run with {@code LIMIT 0} (a query, not a prepared statement's description: the
     * connection may be in simple query mode, which has none); each type loaded for the value mapper.
     */
    private Columns describe(Connection txn, FactQueries.Query query) throws SQLException {
        try (Statement probe = txn.createStatement(); java.sql.ResultSet none = probe.executeQuery(probe(query))) {
            ResultSetMetaData meta = none.getMetaData();
            String[] names = new String[meta.getColumnCount()];
            int[] types = new int[names.length];
            BaseConnection base = txn.unwrap(BaseConnection.class);
            for (int i = 0; i < names.length; i++) {
                names[i] = meta.getColumnLabel(i + 1);
                types[i] = base.getTypeInfo().getPGType(typeName(meta.getColumnTypeName(i + 1)));
                assembler.loadType(types[i]);
            }
            return new Columns(names, types);
        }
    }

    /**
     * Whether PostgreSQL's text of a value of {@code type} is what the writer takes as it is, the same value the
     * change events' JSON would give: numbers, text, booleans, dates, times and UUIDs. Arrays, JSON, bytea, domains,
     * enums and other types take the JSON form.
     */
    private static boolean takenAsText(int type) {
        return switch (type) {
            case PgTypeRegistry.BOOL, PgTypeRegistry.INT2, PgTypeRegistry.INT4, PgTypeRegistry.INT8, PgTypeRegistry.NUMERIC,
                 PgTypeRegistry.FLOAT4, PgTypeRegistry.FLOAT8, PgTypeRegistry.TEXT, PgTypeRegistry.VARCHAR, PgTypeRegistry.BPCHAR,
                 PgTypeRegistry.NAME, PgTypeRegistry.DATE, PgTypeRegistry.TIMESTAMP, PgTypeRegistry.TIMESTAMPTZ,
                 PgTypeRegistry.UUID -> true;
            default -> false;
        };
    }

    /** The rows as PostgreSQL printed them: nothing decoded, nothing encoded (the connection prints UTC, ISO dates). */
    private long copyText(CopyOut copy, FactQueries.Query query, Chunks chunks) throws SQLException, IOException {
        long rows = 0;
        byte[] line;
        while ((line = copy.readFromCopy()) != null) {
            if (line.length > config.maxValueBytes()) {
                throw oversized(query);
            }
            chunks.out.write(line); // each ends in its newline
            rows++;
            chunks.sendWhenFull();
        }
        chunks.sendRest();
        return rows;
    }

    /** The rows as JSON, each value as the change events carry it. */
    private long json(CopyOut copy, FactQueries.Query query, String[] names, int[] types, long lsn, Chunks chunks)
            throws SQLException, IOException {
        com.fasterxml.jackson.core.io.SerializedString[] fields = new com.fasterxml.jackson.core.io.SerializedString[names.length];
        for (int i = 0; i < names.length; i++) {
            fields[i] = new com.fasterxml.jackson.core.io.SerializedString(names[i]);
        }
        java.math.BigInteger version = new java.math.BigInteger(Long.toUnsignedString(lsn));
        long rows = 0;
        try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(chunks.out, JsonEncoding.UTF8)) {
            out.setRootValueSeparator(null);
            byte[] line;
            while ((line = copy.readFromCopy()) != null) {
                TupleData tuple;
                try {
                    tuple = CopyText.parse(line, names.length, config.maxValueBytes());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("facts export of view " + query.name() + ": " + e.getMessage(), e);
                }
                out.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    out.writeFieldName(fields[i]);
                    TupleData.Value value = tuple.values().get(i);
                    if (value instanceof TupleData.Text t) {
                        write(out, types[i], t.text());
                    } else if (value instanceof TupleData.Null) {
                        out.writeNull();
                    } else {
                        throw oversized(query);
                    }
                }
                out.writeFieldName("_version");
                out.writeNumber(version);
                out.writeFieldName("_deleted");
                out.writeNumber(0);
                out.writeEndObject();
                out.flush();
                chunks.out.write('\n');
                rows++;
                chunks.sendWhenFull();
            }
            out.flush();
            chunks.sendRest();
        }
        return rows;
    }

    private IllegalStateException oversized(FactQueries.Query query) {
        return new IllegalStateException("facts export of view " + query.name() + ": a row holds a value over "
                + config.maxValueBytes() + " bytes, more than a Kafka record takes (KAFKA_MAX_REQUEST_SIZE)");
    }

    /** A view's rows gathered into records of about {@code chunkBytes}, each sent when full. */
    private final class Chunks {
        final ByteArrayOutputStream out;
        private final byte[] key;
        private final RecordHeaders headers;
        private final int chunkBytes;
        private final AtomicReference<Exception> failure;

        Chunks(byte[] key, RecordHeaders headers, int chunkBytes, AtomicReference<Exception> failure) {
            this.out = new ByteArrayOutputStream(chunkBytes + 64 * 1024);
            this.key = key;
            this.headers = headers;
            this.chunkBytes = chunkBytes;
            this.failure = failure;
        }

        void sendWhenFull() {
            if (out.size() >= chunkBytes) {
                send();
            }
        }

        void sendRest() {
            if (out.size() > 0) {
                send();
            }
        }

        private void send() {
            if (failure.get() != null) {
                throw new IllegalStateException("Kafka refused a chunk of the facts export to " + config.factsTopic() + ": "
                        + failure.get().getMessage(), failure.get());
            }
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.factsTopic(), null, key, out.toByteArray(), headers);
            publisher.producer().send(record, (meta, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            out.reset();
        }
    }

    /**
     * One value as the change events carry it ({@code ValueMapper}): integers and finite numerics are PostgreSQL's own
     * digits, text is a string, written as they are; every other type through the mapper.
     */
    private void write(JsonGenerator out, int type, String text) throws IOException {
        switch (type) {
            case PgTypeRegistry.INT2, PgTypeRegistry.INT4, PgTypeRegistry.INT8, PgTypeRegistry.OID -> out.writeNumber(text);
            case PgTypeRegistry.TEXT, PgTypeRegistry.VARCHAR, PgTypeRegistry.BPCHAR, PgTypeRegistry.NAME -> out.writeString(text);
            case PgTypeRegistry.NUMERIC -> {
                if (text.equals("NaN") || text.endsWith("Infinity")) {
                    out.writeString(text);
                } else {
                    out.writeNumber(text);
                }
            }
            default -> out.writeTree(assembler.value(type, text));
        }
    }

    /**
     * The type's name as PostgreSQL has it: the driver names an integer column with a sequence default after the
     * pseudo-type that declared it.
     */
    private static String typeName(String driverName) {
        return switch (driverName) {
            case "serial" -> "int4";
            case "bigserial" -> "int8";
            case "smallserial" -> "int2";
            default -> driverName;
        };
    }

    /** The view's columns, without a row. */
    private static String probe(FactQueries.Query query) {
        return "SELECT * FROM (" + query.sql() + ") AS fact LIMIT 0";
    }

    /** The views name their tables as the streams-app reads them: in POSTGRES_CDC_SCHEMA. */
    private void searchPath(Connection txn) throws SQLException {
        try (Statement s = txn.createStatement()) {
            s.execute("SET LOCAL search_path TO " + Identifiers.quote(config.schema()));
        }
    }

    private static void resetSearchPath(Connection txn) throws SQLException {
        try (Statement s = txn.createStatement()) {
            s.execute("SET LOCAL search_path TO DEFAULT");
        }
    }
}
