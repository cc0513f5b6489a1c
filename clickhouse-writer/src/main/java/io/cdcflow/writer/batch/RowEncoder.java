package io.cdcflow.writer.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ColumnType;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.util.Map;

/** One output record as a JSONEachRow line for its table, or a clear error naming the column that does not fit. */
public final class RowEncoder {
    private final ServerInfo server;

    public RowEncoder(ServerInfo server) {
        this.server = server;
    }

    public byte[] encode(TableSchema schema, JsonNode row) {
        if (!row.has("_version") || !row.get("_version").canConvertToLong()) {
            throw new BadRowException("record has no numeric _version");
        }
        ObjectNode line = Json.object();
        for (Map.Entry<String, ColumnType> column : schema.columns().entrySet()) {
            JsonNode value = row.get(column.getKey());
            if (value == null) {
                continue;
            }
            try {
                line.set(column.getKey(), column.getValue().encode(value, server));
            } catch (IllegalArgumentException e) {
                throw new BadRowException("column " + schema.table() + "." + column.getKey() + " (" + column.getValue().ddl(server)
                        + "): " + e.getMessage());
            }
            if (schema.keyColumns().contains(column.getKey()) && value.isNull()) {
                throw new BadRowException("key column " + schema.table() + "." + column.getKey() + " is null");
            }
        }
        line.put("_version", row.get("_version").asLong());
        line.put("_deleted", row.path("_deleted").asInt(0) == 0 ? 0 : 1);
        byte[] json = Json.bytes(line);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    /** A record that cannot be written to its table; it goes to the dead-letter topic. */
    public static final class BadRowException extends RuntimeException {
        public BadRowException(String message) {
            super(message);
        }
    }
}
