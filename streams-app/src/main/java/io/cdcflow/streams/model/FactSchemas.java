package io.cdcflow.streams.model;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.config.StreamsAppConfig.Columns;
import io.cdcflow.streams.config.StreamsAppConfig.Outputs;
import io.cdcflow.streams.config.StreamsAppConfig.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The schemas of the facts and dimensions, derived from the source tables' schemas through what {@link Facts} does:
 * a column taken from a source column keeps its type; it is nullable when the source column is, or when it comes from
 * a left-joined table; {@code line_total = quantity * price} is an unconstrained numeric, as in PostgreSQL. A
 * dimension has its table's columns. Pure.
 */
public final class FactSchemas {
    private final Tables t;
    private final Columns c;
    private final Outputs o;
    private final String schema;

    public FactSchemas(StreamsAppConfig config) {
        this.t = config.tables();
        this.c = config.columns();
        this.o = config.outputs();
        this.schema = config.schema();
    }

    /** The source tables each output is derived from. */
    public Map<String, List<String>> inputs() {
        return Map.of(
                o.orderFact(), List.of(t.orders(), t.customers()),
                o.orderItemFact(), List.of(t.orderItems(), t.products(), t.orders()),
                o.customerDim(), List.of(t.customers()),
                o.productDim(), List.of(t.products()));
    }

    /** The subject of a source table in the schema topic. */
    public String subject(String table) {
        return schema + "." + table;
    }

    /**
     * The output's schema from the newest schema of each of its source tables, or null when one is unknown.
     *
     * @param sources the newest schema of a source table, or null
     */
    public RowSchema derive(String output, Function<String, RowSchema> sources) {
        List<RowSchema> in = new ArrayList<>();
        for (String table : inputs().get(output)) {
            RowSchema source = sources.apply(table);
            if (source == null) {
                return null;
            }
            in.add(source);
        }
        long lsn = in.stream().mapToLong(RowSchema::lsn).reduce(0, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        if (output.equals(o.customerDim()) || output.equals(o.productDim())) {
            return RowSchema.fact(output, lsn, in.get(0).columns(), in.get(0).primaryKey());
        }
        List<Column> columns = new ArrayList<>();
        if (output.equals(o.orderFact())) {
            RowSchema orders = in.get(0);
            RowSchema customers = in.get(1);
            columns.add(from(orders, c.orderId(), "order_id", false));
            columns.add(from(orders, c.orderCustomerId(), "customer_id", false));
            columns.add(from(customers, c.customerName(), "customer_name", true));
            columns.add(from(customers, c.customerEmail(), "customer_email", true));
            columns.add(from(orders, c.orderTotal(), "total", false));
            columns.add(from(orders, c.orderStatus(), "status", false));
            columns.add(from(orders, c.orderCreatedAt(), "created_at", false));
            return RowSchema.fact(output, lsn, columns, List.of("order_id"));
        }
        RowSchema items = in.get(0);
        RowSchema products = in.get(1);
        RowSchema orders = in.get(2);
        Column quantity = from(items, c.itemQuantity(), "quantity", false);
        Column price = from(items, c.itemPrice(), "price", false);
        columns.add(from(items, c.itemId(), "order_item_id", false));
        columns.add(from(items, c.itemOrderId(), "order_id", false));
        columns.add(from(orders, c.orderCustomerId(), "customer_id", true));
        columns.add(from(items, c.itemProductId(), "product_id", false));
        columns.add(from(products, c.productName(), "product_name", true));
        columns.add(from(products, c.productCategory(), "product_category", true));
        columns.add(quantity);
        columns.add(price);
        columns.add(new Column("line_total", SqlTypes.NUMERIC, quantity.notNull() && price.notNull()));
        columns.add(from(orders, c.orderStatus(), "order_status", true));
        return RowSchema.fact(output, lsn, columns, List.of("order_item_id"));
    }

    /** A source column under the fact's name; a column the source lacks (renamed, dropped) is nullable text. */
    private static Column from(RowSchema source, String column, String as, boolean leftJoined) {
        Column found = source.column(column).map(col -> col.named(as)).orElse(new Column(as, SqlTypes.TEXT, false));
        return leftJoined ? found.nullable() : found;
    }
}
