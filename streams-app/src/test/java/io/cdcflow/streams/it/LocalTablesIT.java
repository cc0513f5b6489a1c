package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.testsupport.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Small tables joined inside each task (STREAMS_LOCAL_TABLES) against the real broker: their changes reach every
 * partition's task, the facts are complete across two instances and after restarts (on empty local state too), and a
 * change of which tables are local on existing state stops the start with the way out.
 */
@ExtendWith(RealServices.class)
class LocalTablesIT {
    @Test
    void everyPartitionsFactsTakeTheirCustomersAcrossInstancesAndRestarts(KafkaEndpoint kafka) throws Exception {
        String run = "t" + UUID.randomUUID().toString().substring(0, 8);
        Path stateA = Files.createTempDirectory("local-a");
        Path stateB = Files.createTempDirectory("local-b");
        StreamsAppConfig a = config(kafka, run, stateA, "customers,products");
        StreamsAppConfig b = config(kafka, run, stateB, "customers,products");
        RunConfig.prepare(kafka, a, run, 4);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
             TopicReader reader = new TopicReader(kafka, List.of(RunConfig.output(run, "order_fact")))) {
            OrderFacts facts = new OrderFacts(producer, a, 12, 40);
            facts.insertOrders(); // orders first: their customers come later, through the copies
            try (StreamsApp first = new StreamsApp(a, new Metrics()); StreamsApp second = new StreamsApp(b, new Metrics())) {
                first.start();
                second.start();
                assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(200),
                        () -> first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING)).isTrue();
                facts.renameCustomers("first");
                facts.awaitNames(reader, "first");
            }
            // both stopped; a start on empty local state restores every row, and with it the index beside the rows (no
            // changelog of its own): a change of a customer reaches every fact row restored
            try (StreamsApp fresh = new StreamsApp(config(kafka, run, Files.createTempDirectory("local-c"), "customers,products"), new Metrics())) {
                fresh.start();
                facts.renameCustomers("restored");
                facts.awaitNames(reader, "restored");
            }
            // a restart on the first instance's state restores the other's tasks, the copies and the joined rows
            try (StreamsApp again = new StreamsApp(a, new Metrics())) {
                again.start();
                facts.renameCustomers("second");
                facts.awaitNames(reader, "second");
                facts.moveOrder(1, 2, "moved");
                OrderFacts.awaitCustomer(reader, 1, "customer 2 second");
            }
            // the same state with products no longer local (and in the heap): refused, naming the way out, the local
            // state left as it was
            assertThat(RunConfig.rocksDbDirectories(stateA)).isNotEmpty();
            StreamsAppConfig changed = config(kafka, run, stateA, "customers", "memory");
            try (StreamsApp app = new StreamsApp(changed, new Metrics())) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(app::start))
                        .hasMessageContaining("joins inside each task for fact " + run + "_order_item_fact")
                        .hasMessageContaining("kafka-streams-application-reset.sh --bootstrap-server <kafka> --application-id " + run);
                assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
            }
            assertThat(RunConfig.rocksDbDirectories(stateA)).as("RocksDB state after a refused start").isNotEmpty();
            // STREAMS_LOCAL_TABLES unset: the choice by size would join orders inside each task too (the topics are
            // small), but the state's choice is kept, and the facts go on
            int port = Ports.free();
            StreamsAppConfig unset = RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port,
                    "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port, "STREAMS_STATE_DIR", stateA.toString()));
            try (StreamsApp app = new StreamsApp(unset, new Metrics())) {
                app.start();
                facts.renameCustomers("third");
                facts.awaitNames(reader, "third");
                // a follow-up rebalance (a metadata change, a probing rebalance) may still be under way: it must end
                // in RUNNING, not in an error
                assertThat(Waiting.until(Duration.ofSeconds(60), Duration.ofMillis(200),
                        () -> app.state() == KafkaStreams.State.RUNNING)).as("state " + app.state()).isTrue();
            }
        }
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String run, Path state, String localTables) throws Exception {
        return config(kafka, run, state, localTables, "rocksdb");
    }

    private static StreamsAppConfig config(KafkaEndpoint kafka, String run, Path state, String localTables, String stores) throws Exception {
        int port = Ports.free();
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_STATE_DIR", state.toString(), "STREAMS_LOCAL_TABLES", localTables, "STREAMS_STATE_STORES", stores));
    }
}
