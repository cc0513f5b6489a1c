package io.cdcflow.streams;

import io.cdcflow.common.ops.Health;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.ops.OpsServer;
import io.cdcflow.streams.api.OrderQuery;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.common.schema.SchemaCatalog;
import io.cdcflow.common.schema.SchemaPublisher;
import io.cdcflow.streams.model.FactSchemas;
import io.cdcflow.streams.topology.OrderFactTopology;
import io.cdcflow.streams.topology.OutputSchemas;
import io.cdcflow.streams.topology.PublishedOutputSchemas;
import java.util.HashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running streams-app: Kafka Streams with the topology, and the HTTP endpoints. */
public final class StreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final KafkaStreams streams;
    private final OpsServer ops;
    private final SchemaCatalog schemaCatalog;
    private final KafkaProducer<byte[], byte[]> schemaProducer;

    public StreamsApp(StreamsAppConfig config, Metrics metrics) {
        Map<String, Object> client = new HashMap<>(config.kafkaClient());
        client.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        schemaCatalog = new SchemaCatalog(config.schemaTopic(), client);
        Map<String, Object> producer = new HashMap<>(client);
        producer.keySet().retainAll(ProducerConfig.configNames());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        schemaProducer = new KafkaProducer<>(producer);
        OutputSchemas schemas = new PublishedOutputSchemas(new FactSchemas(config), schemaCatalog,
                new SchemaPublisher(config.schemaTopic(), schemaProducer));
        Topology topology = OrderFactTopology.build(config, metrics, schemas);
        streams = new KafkaStreams(topology, properties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed, replacing it: {}", e.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        metrics.collector(() -> kafkaMetrics(streams));
        String token = config.httpToken();
        OrderQuery orders = new OrderQuery(streams, config.advertisedAddress(), config.columns().orderId(), token);
        ops = OpsServer.start(config.httpAddress(), metrics, this::health, app -> {
            app.before("/orders/*", ctx -> requireToken(ctx, token));
            app.before("/topology", ctx -> requireToken(ctx, token));
            app.get("/topology", ctx -> ctx.contentType("text/plain").result(topology.describe().toString()));
            app.get("/orders/{id}", orders::handle);
        });
    }

    public static Properties properties(StreamsAppConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        p.putAll(config.kafkaClient());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.numThreads());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedAddress());
        return p;
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public int httpPort() {
        return ops.port();
    }

    public Health health() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING ? Health.ready("RUNNING") : Health.notReady("Kafka Streams is " + state);
    }

    private static void requireToken(Context ctx, String token) {
        if (token != null && !("Bearer " + token).equals(ctx.header("Authorization"))) {
            throw new UnauthorizedResponse("a bearer token is required (STREAMS_HTTP_TOKEN)");
        }
    }

    /** Kafka Streams' own metrics (process rates, lag, state), as Prometheus gauges. */
    private static List<Metrics.Sample> kafkaMetrics(KafkaStreams streams) {
        List<Map.Entry<MetricName, ? extends Metric>> entries = new ArrayList<>(streams.metrics().entrySet());
        entries.sort(java.util.Comparator.comparing(e -> sampleName(e.getKey())));
        List<Metrics.Sample> samples = new ArrayList<>();
        for (Map.Entry<MetricName, ? extends Metric> e : entries) {
            Object value = e.getValue().metricValue();
            if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())) {
                continue;
            }
            MetricName n = e.getKey();
            Map<String, String> labels = new LinkedHashMap<>();
            n.tags().forEach((k, v) -> labels.put(k.replaceAll("[^A-Za-z0-9_]", "_"), v));
            samples.add(new Metrics.Sample(sampleName(n), n.description().isEmpty() ? n.name() : n.description(), "gauge",
                    labels, number.doubleValue()));
        }
        return samples;
    }

    private static String sampleName(MetricName n) {
        return ("kafka_" + n.group() + "_" + n.name()).replaceAll("[^A-Za-z0-9_]", "_");
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        ops.close();
        schemaProducer.close(Duration.ofSeconds(5));
        schemaCatalog.close();
    }
}
