package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import java.util.List;
import java.util.Map;

/**
 * The schemas of the seed's TypeORM tables as the demo workload creates them (test-support's DemoWorkload): what
 * the default facts are planned against where no schema topic is at hand, for the generated topology documentation
 * and the topology's tests.
 */
public final class DemoTables {
    private DemoTables() {
    }

    public static Map<String, RowSchema> schemas() {
        return Map.of(
                "customers", table("customers", List.of(
                        new Column("id", SqlTypes.INT4, true),
                        new Column("name", SqlTypes.TEXT, true),
                        new Column("email", SqlTypes.TEXT, false),
                        new Column("notes", SqlTypes.TEXT, false))),
                "products", table("products", List.of(
                        new Column("id", SqlTypes.INT4, true),
                        new Column("name", SqlTypes.TEXT, true),
                        new Column("category", SqlTypes.TEXT, false),
                        new Column("price", SqlTypes.numeric(10, 2), false))),
                "orders", table("orders", List.of(
                        new Column("id", SqlTypes.INT4, true),
                        new Column("customer_id", SqlTypes.INT4, false),
                        new Column("total", SqlTypes.numeric(12, 2), true),
                        new Column("status", SqlTypes.TEXT, true),
                        new Column("created_at", SqlTypes.TIMESTAMPTZ, true))),
                "order_items", table("order_items", List.of(
                        new Column("id", SqlTypes.INT4, true),
                        new Column("order_id", SqlTypes.INT4, true),
                        new Column("product_id", SqlTypes.INT4, false),
                        new Column("quantity", SqlTypes.INT4, true),
                        new Column("price", SqlTypes.numeric(10, 2), true))));
    }

    private static RowSchema table(String name, List<Column> columns) {
        return RowSchema.table("public", name, 0, columns, List.of("id"));
    }
}
