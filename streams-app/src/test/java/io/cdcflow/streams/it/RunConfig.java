package io.cdcflow.streams.it;

import io.cdcflow.common.config.Env;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.testsupport.FactsFixtures;
import io.cdcflow.testsupport.KafkaEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A streams-app configuration whose application id, topics and facts belong to one test run, so runs never share
 * state: the default facts with every view named {@code <run>_<fact>}, so each run has its own output topics.
 */
final class RunConfig {
    private RunConfig() {
    }

    static StreamsAppConfig of(KafkaEndpoint kafka, String run, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "STREAMS_APPLICATION_ID", run,
                "STREAMS_INPUT_TOPIC_PREFIX", run,
                "STREAMS_FACTS_FILE", FactsFixtures.prefixed(FactsFile.defaultSql(), run).toString()));
        env.putAll(extra);
        return StreamsAppConfig.from(new Env(env));
    }

    /** The output topic of a default fact in this run. */
    static String output(String run, String fact) {
        return run + "_" + fact;
    }

    /** The run's facts planned against the demo tables. */
    static List<FactPlan> plans(StreamsAppConfig config) {
        return new FactPlanner(config.schema(), DemoTables.schemas()::get).plan(FactsFile.load(config.factsFile()));
    }

    /** Creates the four input topics with {@code partitions} partitions each. */
    static void createInputs(KafkaEndpoint kafka, StreamsAppConfig config, int partitions) {
        for (String table : List.of("customers", "products", "orders", "order_items")) {
            kafka.createTopics(partitions, config.inputTopic(table));
        }
    }

    /** Publishes the demo tables' schemas to the run's schema topic, as the wal-producer would at its start. */
    static void publishSchemas(KafkaEndpoint kafka, StreamsAppConfig config) throws InterruptedException {
        FactsFixtures.publishSchemas(kafka, config.schemaTopic(), DemoTables.schemas().values());
    }

    /**
     * Everything a run of the default facts needs on the broker: the four input topics and the four output topics with
     * {@code partitions} partitions each, and the tables' schemas.
     */
    static void prepare(KafkaEndpoint kafka, StreamsAppConfig config, String run, int partitions) throws InterruptedException {
        createInputs(kafka, config, partitions);
        publishSchemas(kafka, config);
        kafka.createTopics(partitions, output(run, "order_fact"), output(run, "order_item_fact"), output(run, "customer_dim"),
                output(run, "product_dim"));
    }

    /** The RocksDB directories of the stores under a state directory. */
    static List<java.nio.file.Path> rocksDbDirectories(java.nio.file.Path state) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(state)) {
            return paths.filter(p -> p.getFileName().toString().equals("rocksdb")).toList();
        }
    }
}
