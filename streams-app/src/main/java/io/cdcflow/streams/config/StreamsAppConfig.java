package io.cdcflow.streams.config;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import java.util.Map;

/**
 * Everything the streams-app reads from its environment. Table and column names default to the seed's TypeORM
 * example; the SQLModel example (customer, product, order, orderitem) and Prisma (customerId, ...) set them.
 *
 * @param httpToken        when set, the endpoints that return data need {@code Authorization: Bearer <token>}
 * @param schemaTopic      where the source tables' schemas are read and the outputs' schemas written
 * @param singleInputTopic when set, every table's events come from this one topic (the seed's cdc_events) and are
 *                         split by {@code _metadata.table}
 */
public record StreamsAppConfig(
        String applicationId,
        String bootstrapServers,
        Map<String, String> kafkaClient,
        String stateDir,
        HostPort httpAddress,
        String advertisedAddress,
        String httpToken,
        String processingGuarantee,
        int standbyReplicas,
        int numThreads,
        String inputPrefix,
        String schema,
        String singleInputTopic,
        Tables tables,
        Columns columns,
        Outputs outputs,
        String deadLetterTopic,
        String schemaTopic) {

    /** Source table names. */
    public record Tables(String customers, String products, String orders, String orderItems) {
    }

    /** Source column names the topology reads. */
    public record Columns(String customerId, String customerName, String customerEmail,
                          String productId, String productName, String productCategory,
                          String orderId, String orderCustomerId, String orderTotal, String orderStatus, String orderCreatedAt,
                          String itemId, String itemOrderId, String itemProductId, String itemQuantity, String itemPrice) {
    }

    /** Output topic names. */
    public record Outputs(String orderFact, String orderItemFact, String customerDim, String productDim) {
    }

    public static StreamsAppConfig from(Env env) {
        String prefix = env.string("STREAMS_INPUT_TOPIC_PREFIX", env.string("POSTGRES_CDC_TOPIC_PREFIX", "cdc"));
        HostPort http = env.hostPort("STREAMS_HTTP_ADDR", "0.0.0.0:8081");
        return new StreamsAppConfig(
                env.string("STREAMS_APPLICATION_ID", "cdcflow-streams"),
                env.firstOf("KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_CDC_BROKER_ADDRESS").orElse("localhost:9092"),
                env.asProperties("KAFKA_"),
                env.string("STREAMS_STATE_DIR", System.getProperty("java.io.tmpdir") + "/cdcflow-streams"),
                http,
                env.string("STREAMS_ADVERTISED_ADDR", "localhost:" + http.port()),
                env.optional("STREAMS_HTTP_TOKEN").orElse(null),
                env.choice("STREAMS_PROCESSING_GUARANTEE", Guarantee.AT_LEAST_ONCE, Guarantee.class).kafkaName,
                env.integer("STREAMS_STANDBY_REPLICAS", 0, 0, 10),
                env.integer("STREAMS_NUM_THREADS", 1, 1, 64),
                prefix,
                env.string("STREAMS_INPUT_SCHEMA", env.string("POSTGRES_CDC_SCHEMA", "public")),
                env.optional("STREAMS_INPUT_TOPIC").orElse(null),
                new Tables(
                        env.string("STREAMS_TABLE_CUSTOMERS", "customers"),
                        env.string("STREAMS_TABLE_PRODUCTS", "products"),
                        env.string("STREAMS_TABLE_ORDERS", "orders"),
                        env.string("STREAMS_TABLE_ORDER_ITEMS", "order_items")),
                new Columns(
                        env.string("STREAMS_COLUMN_CUSTOMER_ID", "id"),
                        env.string("STREAMS_COLUMN_CUSTOMER_NAME", "name"),
                        env.string("STREAMS_COLUMN_CUSTOMER_EMAIL", "email"),
                        env.string("STREAMS_COLUMN_PRODUCT_ID", "id"),
                        env.string("STREAMS_COLUMN_PRODUCT_NAME", "name"),
                        env.string("STREAMS_COLUMN_PRODUCT_CATEGORY", "category"),
                        env.string("STREAMS_COLUMN_ORDER_ID", "id"),
                        env.string("STREAMS_COLUMN_ORDER_CUSTOMER_ID", "customer_id"),
                        env.string("STREAMS_COLUMN_ORDER_TOTAL", "total"),
                        env.string("STREAMS_COLUMN_ORDER_STATUS", "status"),
                        env.string("STREAMS_COLUMN_ORDER_CREATED_AT", "created_at"),
                        env.string("STREAMS_COLUMN_ITEM_ID", "id"),
                        env.string("STREAMS_COLUMN_ITEM_ORDER_ID", "order_id"),
                        env.string("STREAMS_COLUMN_ITEM_PRODUCT_ID", "product_id"),
                        env.string("STREAMS_COLUMN_ITEM_QUANTITY", "quantity"),
                        env.string("STREAMS_COLUMN_ITEM_PRICE", "price")),
                new Outputs(
                        env.string("STREAMS_TOPIC_ORDER_FACT", "order_fact"),
                        env.string("STREAMS_TOPIC_ORDER_ITEM_FACT", "order_item_fact"),
                        env.string("STREAMS_TOPIC_CUSTOMER_DIM", "customer_dim"),
                        env.string("STREAMS_TOPIC_PRODUCT_DIM", "product_dim")),
                env.string("STREAMS_DEAD_LETTER_TOPIC", (prefix.isEmpty() ? "" : prefix + ".") + "_streams_dead_letter"),
                env.string("STREAMS_SCHEMA_TOPIC", (prefix.isEmpty() ? "" : prefix + ".") + "_schemas"));
    }

    /** The input topic of a table. */
    public String inputTopic(String table) {
        if (singleInputTopic != null) {
            return singleInputTopic;
        }
        return (inputPrefix.isEmpty() ? "" : inputPrefix + ".") + schema + "." + table;
    }

    public enum Guarantee {
        AT_LEAST_ONCE("at_least_once"), EXACTLY_ONCE_V2("exactly_once_v2");

        final String kafkaName;

        Guarantee(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }
}
