package io.cdcflow.streams.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.streams.config.StreamsAppConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class FactSchemasTest {
    public static final Map<String, RowSchema> SOURCES = Map.of(
            "customers", RowSchema.table("public", "customers", 100, List.of(
                    new Column("id", SqlTypes.INT4, true), new Column("name", SqlTypes.TEXT, true),
                    new Column("email", SqlTypes.TEXT, false), new Column("notes", SqlTypes.TEXT, false)), List.of("id")),
            "products", RowSchema.table("public", "products", 100, List.of(
                    new Column("id", SqlTypes.INT4, true), new Column("name", SqlTypes.TEXT, true),
                    new Column("category", SqlTypes.TEXT, false), new Column("price", SqlTypes.numeric(10, 2), false)), List.of("id")),
            "orders", RowSchema.table("public", "orders", 300, List.of(
                    new Column("id", SqlTypes.INT4, true), new Column("customer_id", SqlTypes.INT4, false),
                    new Column("total", SqlTypes.numeric(12, 2), true), new Column("status", SqlTypes.TEXT, false),
                    new Column("created_at", SqlTypes.TIMESTAMPTZ, true)), List.of("id")),
            "order_items", RowSchema.table("public", "order_items", 200, List.of(
                    new Column("id", SqlTypes.INT4, true), new Column("order_id", SqlTypes.INT4, true),
                    new Column("product_id", SqlTypes.INT4, false), new Column("quantity", SqlTypes.INT4, true),
                    new Column("price", SqlTypes.numeric(10, 2), true)), List.of("id")));

    private final FactSchemas facts = new FactSchemas(StreamsAppConfig.from(new Env(Map.of())));

    @Test
    void factColumnsKeepTheirSourceTypesAndLeftJoinedOnesBecomeNullable() {
        RowSchema order = facts.derive("order_fact", SOURCES::get);
        assertThat(order.kind()).isEqualTo(RowSchema.FACT);
        assertThat(order.primaryKey()).containsExactly("order_id");
        assertThat(order.lsn()).isEqualTo(300);
        assertThat(order.columns()).containsExactly(
                new Column("order_id", SqlTypes.INT4, true),
                new Column("customer_id", SqlTypes.INT4, false),
                new Column("customer_name", SqlTypes.TEXT, false),
                new Column("customer_email", SqlTypes.TEXT, false),
                new Column("total", SqlTypes.numeric(12, 2), true),
                new Column("status", SqlTypes.TEXT, false),
                new Column("created_at", SqlTypes.TIMESTAMPTZ, true));
    }

    @Test
    void lineTotalIsAnUnconstrainedNumericAsInPostgres() {
        RowSchema item = facts.derive("order_item_fact", SOURCES::get);
        assertThat(item.column("line_total")).contains(new Column("line_total", SqlTypes.NUMERIC, true));
        assertThat(item.column("order_status")).contains(new Column("order_status", SqlTypes.TEXT, false));
        assertThat(item.column("product_name")).contains(new Column("product_name", SqlTypes.TEXT, false));
        assertThat(item.column("quantity")).contains(new Column("quantity", SqlTypes.INT4, true));
    }

    @Test
    void aDimensionHasItsTablesColumnsAndAnUnknownSourceGivesNoSchema() {
        assertThat(facts.derive("customer_dim", SOURCES::get).columns()).isEqualTo(SOURCES.get("customers").columns());
        assertThat(facts.derive("order_fact", table -> table.equals("customers") ? null : SOURCES.get(table))).isNull();
    }
}
