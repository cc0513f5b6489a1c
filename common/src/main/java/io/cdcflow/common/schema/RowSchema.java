package io.cdcflow.common.schema;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape of the rows in a stream of records: a captured table's (kind {@code table}, published by the
 * wal-producer) or a fact's or dimension's (kind {@code fact}, published by the streams-app). Travels through the
 * schema topic; each record names the schema it was written with by {@link #id()} in its {@code cdc.schema_id}
 * header (docs/events.md).
 *
 * @param kind       {@code table} or {@code fact}
 * @param schema     the PostgreSQL schema of a table; empty for a fact
 * @param name       the table's or the fact's name
 * @param lsn        the commit LSN from which this shape applies: schemas of one subject are ordered by it
 * @param columns    every column, in PostgreSQL's order
 * @param primaryKey the columns records are keyed by, in key order (a table's primary key, else its replica
 *                   identity)
 * @param estimatedRows a table's row count as PostgreSQL estimated it when the schema was published, -1 when unknown
 *                   (a fact, a schema published before 2026-12-03); not part of the shape nor of the id
 */
public record RowSchema(String kind, String schema, String name, long lsn, List<Column> columns, List<String> primaryKey,
                        long estimatedRows) {
    public static final String TABLE = "table";
    public static final String FACT = "fact";
    /** The record header naming the schema of a record's value. */
    public static final String HEADER = "cdc.schema_id";

    public RowSchema {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        schema = schema == null ? "" : schema;
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public RowSchema(String kind, String schema, String name, long lsn, List<Column> columns, List<String> primaryKey) {
        this(kind, schema, name, lsn, columns, primaryKey, -1);
    }

    public static RowSchema table(String schema, String table, long lsn, List<Column> columns, List<String> primaryKey) {
        return new RowSchema(TABLE, schema, table, lsn, columns, primaryKey);
    }

    public static RowSchema fact(String name, long lsn, List<Column> columns, List<String> primaryKey) {
        return new RowSchema(FACT, "", name, lsn, columns, primaryKey);
    }

    /** What schemas of the same stream share: {@code public.orders} for a table, the name for a fact. */
    public String subject() {
        return schema.isEmpty() ? name : schema + "." + name;
    }

    /** Fingerprints computed so far: a consumer asks for the id of each record's schema. */
    private static final java.util.Map<RowSchema, String> IDS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** A fingerprint of everything in the schema: equal ids, equal schemas. Computed once per schema. */
    public String id() {
        return IDS.computeIfAbsent(this, RowSchemaCodec::fingerprint);
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    /** The same columns and key seen again at a later position. */
    public RowSchema at(long newLsn) {
        return new RowSchema(kind, schema, name, newLsn, columns, primaryKey, estimatedRows);
    }

    /** The same schema with PostgreSQL's estimate of the table's rows. */
    public RowSchema withEstimatedRows(long rows) {
        return new RowSchema(kind, schema, name, lsn, columns, primaryKey, rows);
    }

    /** Whether two schemas describe the same columns and key, wherever they were seen. */
    public boolean sameShape(RowSchema other) {
        return other != null && columns.equals(other.columns) && primaryKey.equals(other.primaryKey);
    }
}
