package io.cdcflow.writer.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of one target table: the key columns (from the Kafka record key), then data columns in the order
 * first seen. Types come from {@link #HINTS} for the known fact columns, else from the first non-null value.
 */
public final class TableSchema {
    /** Columns whose type a first value could get wrong: a total of 5 today is 7.50 tomorrow. */
    static final Map<String, ColumnType> HINTS = Map.of(
            "total", ColumnType.DECIMAL,
            "price", ColumnType.DECIMAL,
            "line_total", ColumnType.DECIMAL,
            "quantity", ColumnType.DECIMAL,
            "created_at", ColumnType.DATETIME);
    public static final List<String> RESERVED = List.of("_version", "_deleted", "_ingested_at");

    private final String table;
    private final List<String> keyColumns;
    private final Map<String, ColumnType> columns = new LinkedHashMap<>();
    /** Column name to its position in {@link #columns}, for the encoder's per-field lookup. */
    private final Map<String, Integer> positions = new HashMap<>();
    private final List<ColumnType> types = new ArrayList<>();
    private List<String> insertColumns;

    public TableSchema(String table, List<String> keyColumns, Map<String, ColumnType> columns) {
        this.table = table;
        this.keyColumns = List.copyOf(keyColumns);
        columns.forEach(this::add);
    }

    /** A schema for a new table, from its first record. */
    public static TableSchema fromFirstRecord(String table, JsonNode key, JsonNode row) {
        List<String> keys = new ArrayList<>();
        Map<String, ColumnType> columns = new LinkedHashMap<>();
        key.fieldNames().forEachRemaining(name -> {
            keys.add(name);
            columns.put(name, ColumnType.infer(key.get(name)));
        });
        TableSchema schema = new TableSchema(table, keys, columns);
        schema.newColumns(row).forEach(schema::add);
        return schema;
    }

    /** Data columns in {@code row} that the table lacks and whose type is known (a non-null value or a hint). */
    public Map<String, ColumnType> newColumns(JsonNode row) {
        Map<String, ColumnType> added = new LinkedHashMap<>();
        row.fieldNames().forEachRemaining(name -> {
            if (columns.containsKey(name) || RESERVED.contains(name)) {
                return;
            }
            JsonNode value = row.get(name);
            ColumnType hint = HINTS.get(name);
            if (hint != null) {
                added.put(name, hint);
            } else if (value != null && !value.isNull()) {
                added.put(name, ColumnType.infer(value));
            }
        });
        return added;
    }

    /** Whether a column is created even from a null value, because its type is known beforehand. */
    public static boolean hinted(String column) {
        return HINTS.containsKey(column);
    }

    public void add(String column, ColumnType type) {
        Integer position = positions.get(column);
        if (position != null) {
            types.set(position, type);
        } else {
            positions.put(column, types.size());
            types.add(type);
        }
        columns.put(column, type);
        insertColumns = null;
    }

    /** The position of a column, or -1 when the table lacks it. */
    public int position(String column) {
        Integer position = positions.get(column);
        return position == null ? -1 : position;
    }

    public ColumnType typeAt(int position) {
        return types.get(position);
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

    public Map<String, ColumnType> columns() {
        return Collections.unmodifiableMap(columns);
    }

    /**
     * Every column an insert names, in the order the encoder writes them: the data columns plus version and deleted
     * flag. The same list object until a column is added, so a batch can tell whether it was encoded for this shape.
     */
    public List<String> insertColumns() {
        if (insertColumns == null) {
            List<String> names = new ArrayList<>(columns.keySet());
            names.add("_version");
            names.add("_deleted");
            insertColumns = List.copyOf(names);
        }
        return insertColumns;
    }
}
