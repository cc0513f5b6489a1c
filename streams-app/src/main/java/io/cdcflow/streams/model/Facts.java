package io.cdcflow.streams.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.config.StreamsAppConfig.Columns;

/**
 * The joiners: how a fact row is built from the source rows it joins. Pure functions. Every joined row carries
 * {@link RowState#COMMIT_LSN}, the newest commit LSN of its inputs, and {@link RowState#DELETED}, whether the fact's
 * own source row is deleted; a missing or deleted dimension gives null dimension fields (left-join semantics).
 */
public final class Facts {
    private final Columns c;

    public Facts(Columns columns) {
        this.c = columns;
    }

    public ObjectNode orderFact(JsonNode order, JsonNode customer) {
        ObjectNode fact = Json.object();
        fact.set("order_id", order.get(c.orderId()));
        fact.set("customer_id", order.get(c.orderCustomerId()));
        boolean hasCustomer = RowState.exists(customer);
        fact.set("customer_name", hasCustomer ? customer.get(c.customerName()) : null);
        fact.set("customer_email", hasCustomer ? customer.get(c.customerEmail()) : null);
        fact.set("total", order.get(c.orderTotal()));
        fact.set("status", order.get(c.orderStatus()));
        fact.set("created_at", order.get(c.orderCreatedAt()));
        return stamp(fact, order, hasCustomer ? customer : null);
    }

    /** First step of the item fact: the item with its product. */
    public ObjectNode itemWithProduct(JsonNode item, JsonNode product) {
        ObjectNode fact = Json.object();
        fact.set("order_item_id", item.get(c.itemId()));
        fact.set("order_id", item.get(c.itemOrderId()));
        fact.set("product_id", item.get(c.itemProductId()));
        boolean hasProduct = RowState.exists(product);
        fact.set("product_name", hasProduct ? product.get(c.productName()) : null);
        fact.set("product_category", hasProduct ? product.get(c.productCategory()) : null);
        JsonNode quantity = item.get(c.itemQuantity());
        JsonNode price = item.get(c.itemPrice());
        fact.set("quantity", quantity);
        fact.set("price", price);
        fact.set("line_total", quantity != null && quantity.isNumber() && price != null && price.isNumber()
                ? Json.MAPPER.getNodeFactory().numberNode(quantity.decimalValue().multiply(price.decimalValue()))
                : null);
        return stamp(fact, item, hasProduct ? product : null);
    }

    /** Second step: the order's customer and status. */
    public ObjectNode orderItemFact(JsonNode itemWithProduct, JsonNode order) {
        boolean hasOrder = RowState.exists(order);
        ObjectNode out = Json.object();
        out.set("order_item_id", itemWithProduct.get("order_item_id"));
        out.set("order_id", itemWithProduct.get("order_id"));
        out.set("customer_id", hasOrder ? order.get(c.orderCustomerId()) : null);
        for (String field : new String[] {"product_id", "product_name", "product_category", "quantity", "price", "line_total"}) {
            out.set(field, itemWithProduct.get(field));
        }
        out.set("order_status", hasOrder ? order.get(c.orderStatus()) : null);
        return stamp(out, itemWithProduct, hasOrder ? order : null);
    }

    /** A dimension row: the source row's own columns, whatever they are (new columns flow through). */
    public static ObjectNode dimension(JsonNode row) {
        return stamp(RowState.columns(row), row, null);
    }

    /** The newest commit LSN of the fact's own row and the joined one, and whether the own row is deleted. */
    private static ObjectNode stamp(ObjectNode fact, JsonNode own, JsonNode joined) {
        long lsn = RowState.version(own);
        if (joined != null && Long.compareUnsigned(RowState.version(joined), lsn) > 0) {
            lsn = RowState.version(joined);
        }
        fact.put(RowState.COMMIT_LSN, lsn);
        fact.put(RowState.DELETED, RowState.isDeleted(own));
        return fact;
    }
}
