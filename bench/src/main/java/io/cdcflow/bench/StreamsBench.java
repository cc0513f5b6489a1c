package io.cdcflow.bench;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.testsupport.FactsFixtures;
import io.cdcflow.testsupport.KafkaEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Stage 3: change events per second through the topology, with one and with two instances, from pre-filled topics. */
final class StreamsBench {
    private final BenchEnv env;
    private final int orders;

    StreamsBench(BenchEnv env, int orders) {
        this.env = env;
        this.orders = orders;
    }

    List<Measurement> run() throws Exception {
        KafkaEndpoint kafka = env.kafka();
        String prefix = "sb";
        int customers = 5_000;
        StreamsAppConfig base = config(kafka, prefix, "one");
        for (String table : List.of("customers", "products", "orders", "order_items")) {
            kafka.createTopics(4, base.inputTopic(table));
        }
        FactsFixtures.publishSchemas(kafka, base.schemaTopic(), DemoTables.schemas().values());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            long lsn = 0x1000;
            for (int id = 1; id <= customers; id++) {
                send(producer, base, "customers", Json.object().put("id", id).put("name", "customer " + id).put("email", id + "@x"), lsn++);
            }
            for (int id = 1; id <= orders; id++) {
                send(producer, base, "orders", Json.object().put("id", id).put("customer_id", id % customers + 1).put("total", id % 1000)
                        .put("status", "new"), lsn++);
            }
        }
        long events = customers + (long) orders;
        List<Measurement> results = new ArrayList<>();
        for (int instances : new int[] {1, 2}) {
            StreamsAppConfig config = config(kafka, prefix, instances == 1 ? "one" : "two");
            String orderFact = "sb_" + (instances == 1 ? "one" : "two") + "_order_fact";
            kafka.createTopics(4, orderFact, "sb_" + (instances == 1 ? "one" : "two") + "_customer_dim");
            long started = System.nanoTime();
            List<StreamsApp> apps = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                StreamsApp app = new StreamsApp(i == 0 ? config : config(kafka, prefix, "two", "second"), new Metrics());
                app.start();
                apps.add(app);
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties())) {
                BenchEnv.await("order facts from " + instances + " instance(s)", Duration.ofMinutes(20),
                        () -> endOffsets(consumer, orderFact) >= orders);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            apps.forEach(StreamsApp::close);
            System.out.println("[bench] streams-app x" + instances + ": " + Math.round(events / seconds) + " events/s");
            results.add(new Measurement("streams", "streams-app, " + instances + " instance" + (instances > 1 ? "s" : "") + " (ours)",
                    events, seconds, -1, "from start (including rebalance) until every order fact is out; one machine, 2 cores"));
        }
        return results;
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String prefix, String run) throws Exception {
        return config(kafka, prefix, run, "first");
    }

    /** @param instance distinguishes two instances of one run in this JVM (their static group membership) */
    private static StreamsAppConfig config(KafkaEndpoint kafka, String prefix, String run, String instance) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "STREAMS_APPLICATION_ID", "bench-streams-" + run, "STREAMS_INPUT_TOPIC_PREFIX", prefix,
                "STREAMS_FACTS_FILE", FactsFixtures.prefixed(FactsFile.defaultSql(), "sb_" + run).toString(),
                "STREAMS_HTTP_ADDR", "127.0.0.1:0", "STREAMS_INSTANCE_ID", "bench-" + run + "-" + instance));
        env.put("STREAMS_STATE_DIR", BenchEnv.scratch("bench-streams").toString());
        return StreamsAppConfig.from(new Env(env));
    }

    private static long endOffsets(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, String table,
                             com.fasterxml.jackson.databind.node.ObjectNode row, long lsn) {
        ChangeEvent event = ChangeEvent.ofRow(table, Operation.INSERT, row, lsn, 0);
        producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event)));
    }
}
