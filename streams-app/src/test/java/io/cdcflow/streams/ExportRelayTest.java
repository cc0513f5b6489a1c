package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.OutputSchemas;
import io.cdcflow.streams.topology.SnapshotPositions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What the relay passes on of a facts export's chunks, and where to. */
class ExportRelayTest {
    private final Metrics metrics = new Metrics();
    private final SnapshotPositions snapshots = new SnapshotPositions();
    private final OutputSchemas schemas = new OutputSchemas() {
        @Override
        public void observe(String sourceSchemaId) {
        }

        @Override
        public String idFor(String output) {
            return "schema-of-" + output;
        }
    };
    private final ExportRelay relay = new ExportRelay("cdc._facts_snapshot", "app", Map.of(), schemas, snapshots, metrics);
    private final byte[] rows = "{\"order_id\":10,\"_version\":8192,\"_deleted\":0}\n{\"order_id\":11,\"_version\":8192,\"_deleted\":0}\n"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void aChunkOfAViewDefinedAlikeGoesToItsFactsTopicWithTheOutputsSchema() {
        snapshots.ownFacts(FactsFile.load(null).hashes());
        String hash = FactsFile.load(null).hashes().get("order_fact");
        ProducerRecord<byte[], byte[]> onward = relay.onward(chunk("order_fact", hash));
        assertThat(onward.topic()).isEqualTo("order_fact");
        assertThat(onward.value()).isEqualTo(rows);
        assertThat(header(onward, RowSchema.HEADER)).isEqualTo("schema-of-order_fact");
        assertThat(header(onward, FactsExport.LSN_HEADER)).isEqualTo("8192");
        assertThat(header(onward, FactsExport.FACT_HEADER)).isEqualTo("order_fact");
        assertThat(metrics.scrape()).contains("streams_facts_export_chunks_total{fact=\"order_fact\"} 1");
    }

    @Test
    void aChunkOfAnotherDefinitionOrOfNoFactOfOursIsDropped() {
        snapshots.ownFacts(FactsFile.load(null).hashes());
        String hash = FactsFile.load(null).hashes().get("order_fact");
        assertThat(relay.onward(chunk("order_fact", "0123456789abcdef"))).isNull();
        assertThat(relay.onward(chunk("no_fact", hash))).isNull();
        assertThat(metrics.scrape()).contains("streams_facts_export_chunks_dropped_total{fact=\"order_fact\"} 1",
                "streams_facts_export_chunks_dropped_total{fact=\"no_fact\"} 1");
    }

    private ConsumerRecord<byte[], byte[]> chunk(String fact, String hash) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("cdc._facts_snapshot", 0, 0, fact.getBytes(StandardCharsets.UTF_8), rows);
        record.headers().add(FactsExport.FACT_HEADER, fact.getBytes(StandardCharsets.UTF_8));
        record.headers().add(FactsExport.HASH_HEADER, hash.getBytes(StandardCharsets.US_ASCII));
        record.headers().add(FactsExport.LSN_HEADER, "8192".getBytes(StandardCharsets.US_ASCII));
        return record;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
