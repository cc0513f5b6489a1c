package io.cdcflow.writer.schema;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.MetaColumns;
import io.cdcflow.common.schema.RowSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of one target table, declared from a {@link RowSchema} alone: the source's columns in order with their
 * exact types, ordered by the source's primary key, plus the writer's own {@code _version}, {@code _deleted} and
 * {@code _ingested_at} (named otherwise where the source has columns of those names: {@link MetaColumns}).
 */
public final class TableSchema {

    private final String table;
    private final RowSchema source;
    private final String sourceId;
    private final List<String> keyColumns;
    private final String versionType;
    private final MetaColumns meta;
    private final Map<String, ClickHouseType> columns = new LinkedHashMap<>();
    /** Column name to its position in {@link #columns}, for the encoder's per-field lookup. */
    private final Map<String, Integer> positions = new HashMap<>();
    private final List<ClickHouseType> types = new ArrayList<>();
    private final boolean[] keys;
    private final List<String> insertColumns;

    /**
     * @param versionType {@code UInt64}, or {@code UInt128} for a mirrored table on a server that has it (the version
     *                    is then the whole (commit LSN, seq))
     */
    public TableSchema(String table, RowSchema source, ServerInfo server, String versionType) {
        this.table = table;
        this.source = source;
        this.sourceId = source.id();
        this.keyColumns = source.primaryKey();
        this.versionType = versionType;
        this.meta = metaOf(source);
        for (Column column : source.columns()) {
            ClickHouseType type = ClickHouseType.of(column, server);
            if (keyColumns.contains(column.name())) {
                type = type.withNullable(false); // ClickHouse cannot order by a Nullable column
            }
            positions.put(column.name(), types.size());
            types.add(type);
            columns.put(column.name(), type);
        }
        keys = new boolean[types.size()];
        keyColumns.forEach(k -> {
            Integer position = positions.get(k);
            if (position == null) {
                throw new IllegalArgumentException("key column " + k + " of " + source.subject() + " is not among its columns");
            }
            keys[position] = true;
        });
        List<String> names = new ArrayList<>(columns.keySet());
        names.add(meta.version());
        names.add(meta.deleted());
        insertColumns = List.copyOf(names);
    }

    /** The names of the writer's own columns in this table. */
    public static MetaColumns metaOf(RowSchema source) {
        return MetaColumns.avoiding(source.columns().stream().map(Column::name).toList());
    }

    public MetaColumns meta() {
        return meta;
    }

    /** Whether the source's records are change events (mirror mode) rather than flat fact rows. */
    public boolean mirrored() {
        return RowSchema.TABLE.equals(source.kind());
    }

    public RowSchema source() {
        return source;
    }

    /** The id of the source schema this table was declared from. */
    public String sourceId() {
        return sourceId;
    }

    public String versionType() {
        return versionType;
    }

    /** The position of a column, or -1 when the table lacks it. */
    public int position(String column) {
        Integer position = positions.get(column);
        return position == null ? -1 : position;
    }

    public ClickHouseType typeAt(int position) {
        return types.get(position);
    }

    public boolean isKey(int position) {
        return keys[position];
    }

    public String nameAt(int position) {
        return insertColumns.get(position);
    }

    public int size() {
        return types.size();
    }

    public String table() {
        return table;
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    public Map<String, ClickHouseType> columns() {
        return Collections.unmodifiableMap(columns);
    }

    /**
     * Every column an insert names, in the order the encoder writes them: the data columns plus version and deleted
     * flag. One list object per schema, so a batch can tell whether it was encoded for this shape.
     */
    public List<String> insertColumns() {
        return insertColumns;
    }
}
