package io.cdcflow.writer.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ClickHouseType;
import io.cdcflow.writer.schema.ReplacingMergeTreeDdl;
import io.cdcflow.writer.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Unchanged TOASTed values from the mirror itself: PostgreSQL did not resend them, so they are what the mirror holds
 * for the key. Rows missing the same columns are looked up together, a hundred per query ({@code UNION ALL} of one
 * {@code SELECT ... FINAL ... LIMIT 1} per key, each tagged with its row's index).
 */
final class ToastValues implements MirrorRows.ToastLookup {
    private static final int ROWS_PER_QUERY = 100;
    private static final String ROW = "__cdcflow_row";
    private final ClickHouse clickhouse;
    private final Supplier<ReplacingMergeTreeDdl> ddl;

    ToastValues(ClickHouse clickhouse, Supplier<ReplacingMergeTreeDdl> ddl) {
        this.clickhouse = clickhouse;
        this.ddl = ddl;
    }

    @Override
    public List<ObjectNode> previous(TableSchema schema, List<MirrorRows.Missing> rows) {
        List<ObjectNode> found = new ArrayList<>(Collections.nCopies(rows.size(), null));
        Map<Set<String>, List<Integer>> byColumns = new LinkedHashMap<>(); // the branches of a UNION have one set of columns
        for (int i = 0; i < rows.size(); i++) {
            byColumns.computeIfAbsent(rows.get(i).columns(), c -> new ArrayList<>()).add(i);
        }
        byColumns.forEach((columns, indexes) -> {
            String select = select(schema, columns);
            for (int from = 0; from < indexes.size(); from += ROWS_PER_QUERY) {
                StringBuilder sql = new StringBuilder();
                for (int i : indexes.subList(from, Math.min(indexes.size(), from + ROWS_PER_QUERY))) {
                    String where = where(schema, rows.get(i).key());
                    if (where == null) {
                        continue;
                    }
                    sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT toUInt32(").append(i).append(") AS ")
                            .append(ReplacingMergeTreeDdl.quote(ROW)).append(", ").append(select).append(" FROM ")
                            .append(ddl.get().qualified(schema.table())).append(" FINAL WHERE ").append(where).append(" AND ")
                            .append(ReplacingMergeTreeDdl.quote(schema.meta().deleted())).append(" = 0 LIMIT 1");
                }
                if (sql.length() > 0) {
                    for (JsonNode row : clickhouse.query(sql.toString())) {
                        found.set(row.get(ROW).asInt(), values(schema, (ObjectNode) row));
                    }
                }
            }
        });
        return found;
    }

    /** The columns as values of the row's JSON: bytes as base64, as the wal-producer sends them. */
    private static String select(TableSchema schema, Set<String> columns) {
        List<String> select = new ArrayList<>();
        for (String column : columns) {
            String quoted = ReplacingMergeTreeDdl.quote(column);
            select.add((schema.typeAt(schema.position(column)).kind() == ClickHouseType.Kind.BYTES ? "base64Encode(" + quoted + ")" : quoted)
                    + " AS " + quoted);
        }
        return String.join(", ", select);
    }

    /** The key's condition, or null when a key column has no value (nothing to find). */
    private static String where(TableSchema schema, JsonNode key) {
        StringBuilder where = new StringBuilder();
        for (String column : schema.keyColumns()) {
            JsonNode value = key.get(column);
            if (value == null || value.isNull()) {
                return null;
            }
            where.append(where.length() == 0 ? "" : " AND ").append(ReplacingMergeTreeDdl.quote(column)).append(" = ")
                    .append(value.isNumber() ? value.asText() : ReplacingMergeTreeDdl.literal(value.asText()));
        }
        return where.toString();
    }

    /** A row read back as the values of a change event: a json or jsonb column holds JSON text, which is JSON again. */
    private static ObjectNode values(TableSchema schema, ObjectNode row) {
        row.remove(ROW);
        row.fields().forEachRemaining(f -> {
            if (schema.typeAt(schema.position(f.getKey())).kind() == ClickHouseType.Kind.JSON && f.getValue().isTextual()) {
                f.setValue(Json.read(f.getValue().asText()));
            }
        });
        return row;
    }
}
