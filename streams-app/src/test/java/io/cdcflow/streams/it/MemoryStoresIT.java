package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * State in the heap (STREAMS_STATE_STORES=memory) against the real broker: every start rebuilds the source tables,
 * the foreign-key joins' subscriptions and the joined rows from their changelogs, so a dimension change still reaches
 * every fact after a restart; and the setting can change between starts either way without a reset.
 */
@ExtendWith(RealServices.class)
class MemoryStoresIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void stateRebuiltFromTheChangelogsAtEachStartAndTheKindChangesWithoutAReset(KafkaEndpoint kafka) throws Exception {
        String run = "m" + UUID.randomUUID().toString().substring(0, 8);
        Path state = Files.createTempDirectory("memory-stores");
        StreamsAppConfig rocksdb = config(kafka, run, state, "rocksdb", Ports.free());
        int memoryPort = Ports.free();
        StreamsAppConfig memory = config(kafka, run, state, "memory", memoryPort);
        RunConfig.prepare(kafka, rocksdb, run, 2);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
            OrderFacts facts = new OrderFacts(producer, rocksdb, 7, 30);
            facts.insertOrders();
            facts.renameCustomers("first");
            try (StreamsApp app = new StreamsApp(rocksdb, new Metrics())) {
                app.start();
                facts.awaitNames(reader, "first");
            }
            assertThat(RunConfig.rocksDbDirectories(state)).as("RocksDB state after a start with the default").isNotEmpty();
            // the heap starts empty: each rename reaches all orders only if the subscriptions were restored
            for (String name : List.of("second", "third")) {
                try (StreamsApp app = new StreamsApp(memory, new Metrics())) {
                    app.start();
                    assertThat(RunConfig.rocksDbDirectories(state)).as("RocksDB state left by the earlier start").isEmpty();
                    facts.renameCustomers(name);
                    facts.awaitNames(reader, name);
                    // interactive queries read the heap's joined rows (order 5 belongs to customer 1 + 5 % 7)
                    // asked again while it answers 503 (a rebalance after the start, as a client would)
                    HttpRequest query = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + memoryPort + "/facts/" + run + "_order_fact/5")).build();
                    java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> answer = new java.util.concurrent.atomic.AtomicReference<>();
                    io.cdcflow.testsupport.Waiting.until(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(200), () -> {
                        try {
                            answer.set(HTTP.send(query, HttpResponse.BodyHandlers.ofString()));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return answer.get().statusCode() != 503;
                    });
                    assertThat(answer.get().body()).contains("\"customer_name\":\"customer 6 " + name + "\"");
                }
            }
            // back to RocksDB: nothing local is left, so it restores everything, the heap's updates included
            try (StreamsApp app = new StreamsApp(rocksdb, new Metrics())) {
                app.start();
                facts.renameCustomers("fourth");
                facts.awaitNames(reader, "fourth");
                facts.moveOrder(3, 5, "moved");
                OrderFacts.awaitCustomer(reader, 3, "customer 5 fourth");
            }
        }
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String run, Path state, String stores, int port) {
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_STATE_DIR", state.toString(), "STREAMS_STATE_STORES", stores, "STREAMS_HTTP_AUTH", "none",
                "STREAMS_LOCAL_TABLES", "none")); // the foreign-key joins' state, which the defaults use for large tables
    }
}
