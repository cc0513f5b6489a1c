package io.cdcflow.wal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.EventMetadata;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.wal.pgoutput.PgOutputMessage;
import io.cdcflow.wal.pgoutput.PgOutputMessage.Relation;
import io.cdcflow.wal.pgoutput.TupleData;
import io.cdcflow.wal.schema.SchemaSource;
import io.cdcflow.wal.types.PgType;
import io.cdcflow.wal.types.PgTypeRegistry;
import io.cdcflow.wal.types.ValueMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Turns the decoded pgoutput stream into change events: tracks the open transaction and the relations announced
 * so far, maps values by type, and applies the contract's rules (a changed primary key becomes a delete plus an
 * insert; an unchanged TOASTed value is left out and named). Pure: no connection, no Kafka.
 */
public final class ChangeAssembler {
    private final ValueMapper values;
    private final PgTypeRegistry types;
    private final PrimaryKeys primaryKeys;
    private final IntFunction<PgType> typeLoader;
    private final SchemaSource schemas;
    private final Map<Integer, Table> relations = new HashMap<>();

    private PgOutputMessage.Begin begin;
    private String origin;
    private long seq;

    /** A relation with the columns that make up its Kafka key, and the id of the schema its records name. */
    record Table(Relation relation, List<Integer> keyColumns, RowSchema schema, String schemaId) {
        String name() {
            return relation.schema() + "." + relation.table();
        }
    }

    /**
     * @param typeLoader looks up a type pgoutput did not describe (a type created after start-up); may return null
     * @param schemas    describes (and, in the wal-producer, publishes) each table's schema when its Relation arrives
     */
    public ChangeAssembler(PgTypeRegistry types, PrimaryKeys primaryKeys, IntFunction<PgType> typeLoader, SchemaSource schemas) {
        this.types = types;
        this.values = new ValueMapper(types);
        this.primaryKeys = primaryKeys;
        this.typeLoader = typeLoader;
        this.schemas = schemas;
    }

    /** The schema records of this relation are published with, or null before its Relation message. */
    public RowSchema schema(int relationOid) {
        Table table = relations.get(relationOid);
        return table == null ? null : table.schema();
    }

    /** True between Begin and Commit. */
    public boolean inTransaction() {
        return begin != null;
    }

    /**
     * Feeds one message.
     *
     * @param walLsn the WAL position the server gave this message; all changes of one multi-row insert share it
     * @return the change events it produces, in order (often none)
     */
    public List<ChangeEvent> accept(PgOutputMessage message, long walLsn) {
        oversized.clear();
        if (message instanceof PgOutputMessage.Begin b) {
            begin = b;
            origin = null;
            seq = 0;
        } else if (message instanceof PgOutputMessage.Commit) {
            begin = null;
        } else if (message instanceof PgOutputMessage.Origin o) {
            origin = o.name();
        } else if (message instanceof PgOutputMessage.Relation r) {
            r.columns().forEach(c -> ensureType(c.typeOid()));
            relations.put(r.oid(), describe(r, begin == null ? walLsn : begin.finalLsn()));
        } else if (message instanceof PgOutputMessage.Type t) {
            ensureType(t.oid());
        } else if (message instanceof PgOutputMessage.Insert i) {
            return List.of(insert(table(i.relationOid()), i.newTuple(), walLsn, Operation.INSERT));
        } else if (message instanceof PgOutputMessage.Update u) {
            return update(table(u.relationOid()), u, walLsn);
        } else if (message instanceof PgOutputMessage.Delete d) {
            return List.of(delete(table(d.relationOid()), d.oldTuple(), walLsn));
        } else if (message instanceof PgOutputMessage.Truncate t) {
            return t.relationOids().stream().map(oid -> truncate(table(oid), walLsn)).toList();
        }
        // LogicalMessage: counted by the replication loop, not published.
        return List.of();
    }

    /**
     * Starts a snapshot: its rows share the slot's position as LSN and are numbered by seq from {@code firstSeq},
     * which is above every event published earlier at that position.
     */
    public void beginSnapshot(long consistentPoint, long firstSeq) {
        begin = new PgOutputMessage.Begin(consistentPoint, null, 0);
        origin = null;
        seq = firstSeq;
    }

    public void endSnapshot() {
        begin = null;
    }

    /**
     * Describes a table a snapshot is about to read, publishing its schema now rather than with its first row: a
     * reader that needs every table's schema before it starts (the streams-app) starts while the first table is read.
     */
    public void prepareSnapshot(Relation relation, long consistentPoint) {
        snapshotTable(relation, consistentPoint);
    }

    /** One row of the initial snapshot, as a {@code read} event ({@link #oversize} tells whether a value was left out). */
    public ChangeEvent read(Relation relation, TupleData row, long consistentPoint) {
        oversized.clear();
        return insert(snapshotTable(relation, consistentPoint), row, consistentPoint, Operation.READ);
    }

    private Table snapshotTable(Relation relation, long consistentPoint) {
        return relations.computeIfAbsent(relation.oid(), oid -> {
            relation.columns().forEach(c -> ensureType(c.typeOid()));
            return describe(relation, consistentPoint);
        });
    }

    /**
     * A delete, at the snapshot's position, of a row an earlier snapshot or stream published and this snapshot no
     * longer finds.
     */
    public ChangeEvent vanished(Relation relation, ObjectNode key, long consistentPoint) {
        return event(snapshotTable(relation, consistentPoint), key, Operation.DELETE, consistentPoint, key.deepCopy(), null, List.of());
    }

    /**
     * A value of type {@code typeOid} in PostgreSQL's text output as the events carry it (the view rows the snapshot
     * exports: {@code FactsExporter}); the type must have been {@link #loadType loaded}.
     */
    public com.fasterxml.jackson.databind.JsonNode value(int typeOid, String text) {
        return values.map(typeOid, text);
    }

    /** Loads the type {@code oid} (and its element and base types) when pgoutput never described it. */
    public void loadType(int oid) {
        ensureType(oid);
    }

    private void ensureType(int oid) {
        if (!types.knows(oid)) {
            PgType loaded = typeLoader.apply(oid);
            if (loaded != null) {
                types.register(loaded);
                if (loaded.elementOid() != 0) {
                    ensureType(loaded.elementOid());
                }
                if (loaded.baseOid() != 0) {
                    ensureType(loaded.baseOid());
                }
            }
        }
    }

    private Table describe(Relation r, long lsn) {
        List<Integer> key = keyColumns(r);
        RowSchema schema = schemas.describe(r, key.stream().map(i -> r.columns().get(i).name()).toList(), lsn);
        return new Table(r, key, schema, schema == null ? null : schema.id());
    }

    private List<Integer> keyColumns(Relation r) {
        List<String> names = r.columns().stream().map(PgOutputMessage.Column::name).toList();
        List<String> pk = primaryKeys.ofRelation(r.oid(), r.schema(), r.table());
        List<Integer> key = new ArrayList<>();
        if (!pk.isEmpty() && names.containsAll(pk)) {
            pk.forEach(column -> key.add(names.indexOf(column)));
            return List.copyOf(key);
        }
        // No primary key: the replica identity index; under REPLICA IDENTITY FULL every column is flagged.
        for (int i = 0; i < r.columns().size(); i++) {
            if (r.columns().get(i).partOfKey()) {
                key.add(i);
            }
        }
        return List.copyOf(key);
    }

    private Table table(int oid) {
        Table table = relations.get(oid);
        if (table == null) {
            throw new IllegalStateException("change for relation OID " + oid + " before its Relation message; "
                    + "the replication stream is out of step");
        }
        return table;
    }

    /**
     * Why an event of the last {@link #accept} call is incomplete (a value too large to read was left out of it), or
     * null: such an event is not published as a change, only its key and metadata go to the dead-letter topic.
     */
    public String oversize(ChangeEvent event) {
        return oversized.get(event);
    }

    /** Events whose rows lost a value too large to read, with the columns and their sizes. */
    private final Map<ChangeEvent, String> oversized = new IdentityHashMap<>();

    private ChangeEvent mark(ChangeEvent event, Table table, List<String> big) {
        if (!big.isEmpty()) {
            oversized.put(event, "change event for table " + table.name() + " key " + event.key() + " at LSN "
                    + event.metadata().lsn() + " has value(s) " + big + " over twice Kafka's limit (KAFKA_MAX_REQUEST_SIZE), "
                    + "not read");
        }
        return event;
    }

    private ChangeEvent insert(Table table, TupleData tuple, long walLsn, Operation operation) {
        List<String> toast = new ArrayList<>();
        List<String> big = new ArrayList<>();
        ObjectNode row = row(table, tuple, null, toast, big);
        return mark(event(table, key(table, row), operation, walLsn, row, null, toast), table, big);
    }

    private List<ChangeEvent> update(Table table, PgOutputMessage.Update u, long walLsn) {
        List<String> toast = new ArrayList<>();
        List<String> bigOld = new ArrayList<>();
        List<String> big = new ArrayList<>();
        ObjectNode oldRow = u.oldTuple() == null ? null : row(table, u.oldTuple(), null, new ArrayList<>(), bigOld);
        ObjectNode newRow = row(table, u.newTuple(), u.oldKind() == 'O' ? u.oldTuple() : null, toast, big);
        big.addAll(bigOld);
        ObjectNode newKey = key(table, newRow);
        if (oldRow != null) {
            ObjectNode oldKey = key(table, oldRow);
            if (!oldKey.equals(newKey)) {
                // A key change: compacted topics and keyed consumers must forget the old key.
                ObjectNode deletedPayload = u.oldKind() == 'O' ? oldRow : oldKey;
                return List.of(
                        mark(event(table, oldKey, Operation.DELETE, walLsn, deletedPayload, null, List.of()), table,
                                u.oldKind() == 'O' ? bigOld : List.of()),
                        mark(event(table, newKey, Operation.INSERT, walLsn, newRow, oldRow, toast), table, big));
            }
        }
        return List.of(mark(event(table, newKey, Operation.UPDATE, walLsn, newRow, oldRow, toast), table, big));
    }

    private ChangeEvent delete(Table table, TupleData oldTuple, long walLsn) {
        List<String> big = new ArrayList<>();
        ObjectNode oldRow = row(table, oldTuple, null, new ArrayList<>(), big);
        ObjectNode key = key(table, oldRow);
        boolean fullRow = table.relation().replicaIdentity() == PgOutputMessage.ReplicaIdentity.FULL;
        return mark(event(table, key, Operation.DELETE, walLsn, fullRow ? oldRow : key.deepCopy(), null, List.of()), table,
                fullRow ? big : List.of());
    }

    private ChangeEvent truncate(Table table, long walLsn) {
        return event(table, Json.object(), Operation.TRUNCATE, walLsn, Json.object(), null, List.of());
    }

    /**
     * The row as JSON. An unchanged TOASTed column is taken from {@code fallback} (the old row under REPLICA
     * IDENTITY FULL) when that has it, else left out and added to {@code unchangedToast}. A value too large to read is
     * left out and named in {@code oversized}; a key column cannot be, and stops the stream with the reason.
     */
    private ObjectNode row(Table table, TupleData tuple, TupleData fallback, List<String> unchangedToast, List<String> oversized) {
        ObjectNode row = Json.object();
        List<PgOutputMessage.Column> columns = table.relation().columns();
        for (int i = 0; i < columns.size() && i < tuple.values().size(); i++) {
            PgOutputMessage.Column column = columns.get(i);
            TupleData.Value value = tuple.values().get(i);
            if (value instanceof TupleData.UnchangedToast && fallback != null && i < fallback.values().size()) {
                value = fallback.values().get(i);
            }
            if (value instanceof TupleData.Text t) {
                row.set(column.name(), map(table, column, t.text()));
            } else if (value instanceof TupleData.UnchangedToast) {
                unchangedToast.add(column.name());
            } else if (value instanceof TupleData.Binary b) {
                row.put(column.name(), b.bytes());
            } else if (value instanceof TupleData.Oversized o) {
                if (table.keyColumns().contains(i)) {
                    throw new IllegalStateException("key column " + table.name() + "." + column.name() + " holds a value of "
                            + o.bytes() + " bytes, too large to publish (KAFKA_MAX_REQUEST_SIZE)");
                }
                oversized.add(column.name() + " (" + o.bytes() + " bytes)");
            } else {
                row.putNull(column.name());
            }
        }
        return row;
    }

    private JsonNode map(Table table, PgOutputMessage.Column column, String text) {
        try {
            return values.map(column.typeOid(), text);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot map column " + table.name() + "." + column.name()
                    + " (type OID " + column.typeOid() + "): " + e.getMessage(), e);
        }
    }

    private static ObjectNode key(Table table, ObjectNode row) {
        ObjectNode key = Json.object();
        for (int index : table.keyColumns()) {
            String name = table.relation().columns().get(index).name();
            JsonNode value = row.get(name);
            if (value != null) {
                key.set(name, value);
            }
        }
        return key;
    }

    private ChangeEvent event(Table table, ObjectNode key, Operation operation, long walLsn, ObjectNode payload,
                              ObjectNode before, List<String> unchangedToast) {
        if (begin == null) {
            throw new IllegalStateException("change for " + table.name() + " outside a transaction");
        }
        Instant commitTime = begin.commitTime();
        EventMetadata meta = new EventMetadata(table.relation().table(), table.relation().schema(), operation,
                new Lsn(walLsn), new Lsn(begin.finalLsn()), seq++, begin.xid(), commitTime, unchangedToast, origin);
        return new ChangeEvent(key, meta, payload, before, table.schemaId());
    }
}
