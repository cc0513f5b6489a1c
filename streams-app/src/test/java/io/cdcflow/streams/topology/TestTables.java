package io.cdcflow.streams.topology;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlType;
import io.cdcflow.common.schema.SqlTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Source table schemas for topology tests, written the way the wal-producer would publish them. */
final class TestTables {
    private final Map<String, RowSchema> tables = new LinkedHashMap<>();

    /** A table keyed by {@code key}; columns as name, type, NOT NULL triples. */
    TestTables table(String name, List<String> key, Object... columns) {
        List<Column> list = new ArrayList<>();
        for (int i = 0; i < columns.length; i += 3) {
            list.add(new Column((String) columns[i], (SqlType) columns[i + 1], (Boolean) columns[i + 2]));
        }
        tables.put(name, RowSchema.table("public", name, 0, list, key));
        return this;
    }

    Map<String, RowSchema> build() {
        return Map.copyOf(tables);
    }

    /** The seed's Prisma schema: quoted PascalCase tables, camelCase columns. */
    static Map<String, RowSchema> prisma() {
        return new TestTables()
                .table("Customer", List.of("id"), "id", SqlTypes.INT4, true, "name", SqlTypes.TEXT, true, "email", SqlTypes.TEXT, false)
                .table("Product", List.of("id"), "id", SqlTypes.INT4, true, "name", SqlTypes.TEXT, true, "category", SqlTypes.TEXT, false,
                        "price", SqlTypes.numeric(10, 2), false)
                .table("Order", List.of("id"), "id", SqlTypes.INT4, true, "customerId", SqlTypes.INT4, true,
                        "total", SqlTypes.numeric(12, 2), true, "status", SqlTypes.TEXT, true, "createdAt", SqlTypes.TIMESTAMP, true)
                .table("OrderItem", List.of("id"), "id", SqlTypes.INT4, true, "orderId", SqlTypes.INT4, true, "productId", SqlTypes.INT4, true,
                        "quantity", SqlTypes.INT4, true, "price", SqlTypes.numeric(10, 2), true)
                .build();
    }

    /** The example schema of docs/example/schema.sql, as the wal-producer publishes it. */
    static Map<String, RowSchema> example() {
        return new TestTables()
                .table("Region", List.of("id"), "id", SqlTypes.INT4, true, "regionName", SqlTypes.TEXT, true)
                .table("Account", List.of("id"), "id", SqlTypes.INT8, true, "displayName", SqlTypes.TEXT, true,
                        "regionId", SqlTypes.INT4, false, "tier", SqlTypes.TEXT, false)
                .table("Invoice", List.of("id"), "id", SqlTypes.INT4, true, "accountId", SqlTypes.INT8, true,
                        "billedToId", SqlTypes.INT8, false, "amount", SqlTypes.numeric(12, 2), true,
                        "discount", SqlTypes.numeric(5, 2), false, "status", SqlTypes.TEXT, true)
                .table("InvoiceLine", List.of("invoiceId", "lineNo"), "invoiceId", SqlTypes.INT4, true, "lineNo", SqlTypes.INT4, true,
                        "sku", SqlTypes.varchar(20), true, "qty", SqlTypes.INT4, true, "unitPrice", SqlTypes.numeric(10, 2), true)
                .build();
    }
}
