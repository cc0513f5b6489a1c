package io.cdcflow.writer.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.writer.sink.ClickHouse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the target tables in step with the data: creates a table and its current-state view on the first record,
 * adds a column (and remakes the view) when a record brings a field the table lacks. No restart needed.
 */
public final class SchemaManager {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaManager.class);

    private final ClickHouse clickhouse;
    private final String database;
    private final ReplacingMergeTreeDdl ddl;
    private final Map<String, TableSchema> tables = new HashMap<>();

    public SchemaManager(ClickHouse clickhouse, String database, ServerInfo server) {
        this.clickhouse = clickhouse;
        this.database = database;
        this.ddl = new ReplacingMergeTreeDdl(database, server);
        clickhouse.execute(ddl.createDatabase());
    }

    public ReplacingMergeTreeDdl ddl() {
        return ddl;
    }

    /** The schema of a table this writer has already written to. */
    public TableSchema get(String table) {
        return tables.get(table);
    }

    /** The schema of {@code table}, created or extended so that it holds every field of {@code row}. */
    public TableSchema ensure(String table, JsonNode key, JsonNode row) {
        TableSchema schema = tables.computeIfAbsent(table, this::existing);
        if (schema == null) {
            schema = TableSchema.fromFirstRecord(table, key, row);
            clickhouse.execute(ddl.createTable(schema));
            clickhouse.execute(ddl.currentView(table));
            tables.put(table, schema);
            LOG.info("created table {}.{} ({} columns, key {}) and view {}_current", database, table,
                    schema.columns().size(), schema.keyColumns(), table);
            return schema;
        }
        Map<String, ColumnType> added = schema.newColumns(row);
        if (!added.isEmpty()) {
            for (Map.Entry<String, ColumnType> column : added.entrySet()) {
                clickhouse.execute(ddl.addColumn(table, column.getKey(), column.getValue()));
                schema.add(column.getKey(), column.getValue());
            }
            clickhouse.execute(ddl.dropCurrentView(table));
            clickhouse.execute(ddl.currentView(table));
            LOG.info("added columns {} to {}.{}", added.keySet(), database, table);
        }
        return schema;
    }

    /** The schema of a table that already exists in ClickHouse, or null. */
    private TableSchema existing(String table) {
        List<JsonNode> rows = clickhouse.query("SELECT name, type, is_in_sorting_key AS k FROM system.columns WHERE database = '"
                + database + "' AND table = '" + table.replace("'", "\\'") + "'");
        if (rows.isEmpty()) {
            return null;
        }
        Map<String, ColumnType> columns = new LinkedHashMap<>();
        List<String> keys = new java.util.ArrayList<>();
        for (JsonNode row : rows) {
            String name = row.get("name").asText();
            if (TableSchema.RESERVED.contains(name)) {
                continue;
            }
            columns.put(name, ReplacingMergeTreeDdl.typeOf(row.get("type").asText()));
            if (row.path("k").asInt() == 1) {
                keys.add(name);
            }
        }
        return new TableSchema(table, keys, columns);
    }
}
