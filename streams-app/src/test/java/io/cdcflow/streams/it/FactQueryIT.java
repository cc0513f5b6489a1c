package io.cdcflow.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.ChangeEventCodec;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.Ports;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Waiting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /facts/{fact}/{key} answers from either of two instances, whichever owns the key, and needs the bearer token;
 * the app waits for its tables' schemas before it runs.
 */
@ExtendWith(RealServices.class)
class FactQueryIT {
    private static final String TOKEN = "s3cret-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anyInstanceAnswersForEveryOrderAndTheTokenIsRequired(KafkaEndpoint kafka) throws Exception {
        String run = "q" + UUID.randomUUID().toString().substring(0, 8);
        int portA = Ports.free();
        int portB = Ports.free();
        StreamsAppConfig a = config(kafka, run, portA);
        String fact = RunConfig.output(run, "order_fact");
        RunConfig.createInputs(kafka, a, 4);
        try (StreamsApp first = new StreamsApp(a, new Metrics()); StreamsApp second = new StreamsApp(config(kafka, run, portB), new Metrics())) {
            Thread starting = new Thread(() -> {
                try {
                    first.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            starting.start();
            assertThat(Waiting.until(Duration.ofSeconds(30), Duration.ofMillis(200),
                    () -> get(portA, "/ready", null).body().contains("waiting for the schemas of"))).isTrue();
            RunConfig.publishSchemas(kafka, a);
            starting.join(60_000);
            second.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
                send(producer, a, "customers", Json.object().put("id", 1).put("name", "Ada").put("email", "ada@example.com"), 0x100);
                for (int id = 1; id <= 20; id++) {
                    send(producer, a, "orders", Json.object().put("id", id).put("customer_id", 1).put("total", id).put("status", "new"), 0x200 + id);
                }
            }
            assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(300), () -> java.util.stream.IntStream.rangeClosed(1, 20)
                    .allMatch(id -> get(portA, "/facts/" + fact + "/" + id, TOKEN).body().contains("\"customer_name\":\"Ada\"")))).isTrue();
            for (int id = 1; id <= 20; id++) {
                HttpResponse<String> fromA = get(portA, "/facts/" + fact + "/" + id, TOKEN);
                HttpResponse<String> fromB = get(portB, "/facts/" + fact + "/" + id, TOKEN);
                assertThat(fromA.statusCode()).isEqualTo(200);
                assertThat(fromA.body()).isEqualTo(fromB.body()).contains("\"order_id\":" + id, "\"customer_name\":\"Ada\"");
            }
            assertThat(get(portA, "/facts/" + fact + "/999", TOKEN).statusCode()).isEqualTo(404);
            assertThat(get(portA, "/facts/" + fact + "/1", null).statusCode()).isEqualTo(401);
            assertThat(get(portB, "/topology", "wrong").statusCode()).isEqualTo(401);
            assertThat(get(portB, "/topology", TOKEN).body()).contains("order_fact-c-join");
            assertThat(get(portA, "/ready", null).statusCode()).isEqualTo(200);
            assertThat(get(portA, "/metrics", null).body()).contains("kafka_stream_thread_metrics");
        }
    }

    private StreamsAppConfig config(KafkaEndpoint kafka, String run, int port) throws Exception {
        return RunConfig.of(kafka, run, Map.of("STREAMS_HTTP_ADDR", "127.0.0.1:" + port, "STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port,
                "STREAMS_HTTP_TOKEN", TOKEN, "STREAMS_STATE_DIR", Files.createTempDirectory("streams-" + port).toString(),
                "STREAMS_LOCAL_TABLES", "none"));
    }

    private HttpResponse<String> get(int port, String path, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, StreamsAppConfig config, String table,
                             com.fasterxml.jackson.databind.node.ObjectNode row, long lsn) throws Exception {
        ChangeEvent event = ChangeEvent.ofRow(table, Operation.INSERT, row, lsn, 0);
        producer.send(new ProducerRecord<>(config.inputTopic(table), ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event))).get();
    }
}
