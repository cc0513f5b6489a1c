package io.cdcflow.streams.it;

import io.cdcflow.common.config.Env;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A streams-app configuration whose application id and topics belong to one test run, so runs never share state. */
final class RunConfig {
    private RunConfig() {
    }

    static StreamsAppConfig of(KafkaEndpoint kafka, String run, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "STREAMS_APPLICATION_ID", run,
                "STREAMS_INPUT_TOPIC_PREFIX", run,
                "STREAMS_TOPIC_ORDER_FACT", run + "_order_fact",
                "STREAMS_TOPIC_ORDER_ITEM_FACT", run + "_order_item_fact",
                "STREAMS_TOPIC_CUSTOMER_DIM", run + "_customer_dim",
                "STREAMS_TOPIC_PRODUCT_DIM", run + "_product_dim"));
        env.putAll(extra);
        return StreamsAppConfig.from(new Env(env));
    }

    /** Creates the four input topics with {@code partitions} partitions each. */
    static void createInputs(KafkaEndpoint kafka, StreamsAppConfig config, int partitions) {
        for (String table : List.of("customers", "products", "orders", "order_items")) {
            kafka.createTopics(partitions, config.inputTopic(table));
        }
    }
}
