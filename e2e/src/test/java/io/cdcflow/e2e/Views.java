package io.cdcflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The same join read from PostgreSQL and from a ClickHouse current-state view, in one comparable form. */
final class Views {
    static final String ORDER_FACT_COLUMNS = "order_id, customer_id, customer_name, customer_email, total, status";
    static final String ORDER_ITEM_FACT_COLUMNS =
            "order_item_id, order_id, customer_id, product_id, product_name, product_category, quantity, price, line_total, order_status";

    static final String PG_ORDER_FACT = "SELECT o.id AS order_id, o.customer_id, c.name AS customer_name, c.email AS customer_email, "
            + "o.total, o.status FROM orders o LEFT JOIN customers c ON c.id = o.customer_id";
    static final String PG_ORDER_ITEM_FACT = "SELECT i.id AS order_item_id, i.order_id, o.customer_id, i.product_id, p.name AS product_name, "
            + "p.category AS product_category, i.quantity, i.price, i.quantity * i.price AS line_total, o.status AS order_status "
            + "FROM order_items i LEFT JOIN products p ON p.id = i.product_id LEFT JOIN orders o ON o.id = i.order_id";
    static final String PG_CUSTOMER_DIM = "SELECT id, name, email, notes FROM customers";
    static final String PG_PRODUCT_DIM = "SELECT id, name, category, price FROM products";

    private Views() {
    }

    static Map<String, Map<String, String>> postgres(PostgresEndpoint db, String sql, String key) {
        return normalize(Json.read(db.queryString("SELECT coalesce(json_agg(t), '[]') FROM (" + sql + ") t")), key);
    }

    static Map<String, Map<String, String>> clickhouse(ClickHouseEndpoint ch, String table, String columns, String key) {
        List<String> lines;
        try {
            lines = ch.query("SELECT " + columns + " FROM " + table + "_current");
        } catch (IllegalStateException notCreatedYet) {
            return Map.of();
        }
        var array = Json.MAPPER.createArrayNode();
        lines.forEach(l -> array.add(Json.read(l)));
        return normalize(array, key);
    }

    /** Rows by key; every value as text, numbers without trailing zeros, so 12.5000000000 equals 12.50. */
    private static Map<String, Map<String, String>> normalize(JsonNode rows, String key) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (JsonNode row : rows) {
            Map<String, String> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                values.put(field.getKey(), text(field.getValue()));
            }
            out.put(values.get(key), values);
        }
        return out;
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText();
        try {
            return new BigDecimal(text).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException notANumber) {
            return text;
        }
    }
}
