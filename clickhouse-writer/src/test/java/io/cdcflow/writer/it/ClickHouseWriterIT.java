package io.cdcflow.writer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.ClickHouseEngine;
import io.cdcflow.testsupport.CuttingProxy;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.LocalClickHouse;
import io.cdcflow.testsupport.RealServices;
import io.cdcflow.testsupport.Services;
import io.cdcflow.testsupport.TestSchemas;
import io.cdcflow.testsupport.TopicReader;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.testsupport.Waiting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** The writer in this JVM against real Kafka; each test that can runs on both engines (ClickHouseEngine). */
@ExtendWith(RealServices.class)
class ClickHouseWriterIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String database = "w_" + run;
    private final String facts = "order_fact_" + run;
    private final String dims = "customer_dim_" + run;
    private final String deadLetters = "dead_" + run;
    private final String schemaTopic = "schemas_" + run;
    private String factSchema;
    private final String[] dimSchemas = new String[3];

    /** The dimension's schema as its source table gains columns: (id, name), then tier, then score. */
    private static RowSchema dimension(int version) {
        List<Column> columns = new java.util.ArrayList<>(List.of(new Column("id", SqlTypes.INT8, true), new Column("name", SqlTypes.TEXT, false)));
        if (version >= 2) {
            columns.add(new Column("tier", SqlTypes.TEXT, false));
        }
        if (version >= 3) {
            columns.add(new Column("score", SqlTypes.numeric(10, 2), false));
        }
        return RowSchema.fact("customer_dim", version, columns, List.of("id"));
    }

    private RunningWriter writer(ClickHouseEndpoint ch, KafkaEndpoint kafka) {
        kafka.createTopics(2, facts, dims);
        factSchema = TestSchemas.publish(kafka, schemaTopic, TestSchemas.ORDER_FACT);
        dimSchemas[0] = TestSchemas.publish(kafka, schemaTopic, dimension(1));
        return restartedWriter(ch, kafka);
    }

    /** A writer of this run's topics, which exist already. */
    private RunningWriter restartedWriter(ClickHouseEndpoint ch, KafkaEndpoint kafka) {
        return new RunningWriter(ch, kafka, Map.of("CLICKHOUSE_DATABASE", database, "WRITER_TOPICS", facts + "," + dims,
                "WRITER_GROUP_ID", "writer-" + run, "WRITER_DEAD_LETTER_TOPIC", deadLetters, "WRITER_SCHEMA_TOPIC", schemaTopic));
    }

    private static org.apache.kafka.clients.admin.Admin admin(KafkaEndpoint kafka) {
        return org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    private static void send(KafkaEndpoint kafka, String topic, String schemaId, String key, String value) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(schemaId == null ? new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8))
                    : TestSchemas.record(topic, schemaId, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendFact(KafkaEndpoint kafka, String key, String value) {
        send(kafka, facts, factSchema, key, value);
    }

    /** A dimension record with the schema of that version, published first when the source table gains a column. */
    private void sendDim(KafkaEndpoint kafka, int version, String key, String value) {
        if (dimSchemas[version - 1] == null) {
            dimSchemas[version - 1] = TestSchemas.publish(kafka, schemaTopic, dimension(version));
        }
        send(kafka, dims, dimSchemas[version - 1], key, value);
    }

    private static String fact(int id, String status, long version, int deleted) {
        return "{\"order_id\":" + id + ",\"customer_id\":7,\"customer_name\":\"Zoë\",\"customer_email\":null,\"total\":12.50,"
                + "\"status\":\"" + status + "\",\"created_at\":\"2026-11-24T10:00:00Z\",\"_version\":" + version + ",\"_deleted\":" + deleted + "}";
    }

    private List<String> current(ClickHouseEndpoint ch, String table, String columns) {
        return ch.query("SELECT " + columns + " FROM " + database + "." + table + "_current ORDER BY 1");
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void insertsUpdatesAndDeletesConvergeInTheCurrentView(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 100, 0));
            sendFact(kafka, "{\"order_id\":2}", fact(2, "new", 101, 0));
            sendFact(kafka, "{\"order_id\":1}", fact(1, "paid", 205, 0));
            sendFact(kafka, "{\"order_id\":2}", fact(2, "new", 300, 1));
            sendFact(kafka, "{\"order_id\":1}", fact(1, "paid", 205, 0)); // a duplicate
            sendFact(kafka, "{\"order_id\":1}", fact(1, "stale", 150, 0)); // an older version, late
            boolean converged = Waiting.until(WAIT, Duration.ofMillis(200), () ->
                    current(ch, facts, "order_id, status, toFloat64(total) AS total").equals(
                            List.of("{\"order_id\":1,\"status\":\"paid\",\"total\":12.5}")));
            assertThat(converged).as("current view: %s", current(ch, facts, "*")).isTrue();
            assertThat(w.sink.health().ready()).isTrue();
            // counted when the writer lands the INSERT, a poll after ClickHouse shows the rows
            assertThat(Waiting.until(WAIT, Duration.ofMillis(100),
                    () -> w.metrics.scrape().contains("writer_rows_written_total{table=\"" + facts + "\"} 6"))).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void anInsertWhoseAnswerIsLostAfterItLandedIsNotWrittenTwice(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (CuttingProxy proxy = CuttingProxy.to(ch.httpUrl());
             RunningWriter w = writer(new ClickHouseEndpoint(proxy.url(), ch.user(), ch.password()), kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
            ch.execute("SYSTEM STOP MERGES " + database + "." + facts); // a merge would hide a row written twice
            proxy.loseAnswerTo("INSERT", facts);
            for (int id = 2; id <= 40; id++) {
                sendFact(kafka, "{\"order_id\":" + id + "}", fact(id, "new", 1, 0));
            }
            sendFact(kafka, "{\"order_id\":2}", fact(2, "paid", 1, 0)); // the same version again: the last written wins
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> proxy.answersLost() == 1)).as("an answer was lost").isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 40
                    && w.sink.health().ready())).isTrue();
            sendFact(kafka, "{\"order_id\":41}", fact(41, "new", 1, 0)); // lands once everything before it did
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 41)).isTrue();
            assertThat(ch.query("SELECT toUInt32(count()) AS n FROM " + database + "." + facts)).as("each record's row once")
                    .containsExactly("{\"n\":42}");
            assertThat(ch.query("SELECT status FROM " + database + "." + facts + "_current WHERE order_id = 2"))
                    .containsExactly("{\"status\":\"paid\"}");
            assertThat(w.metrics.scrape()).containsPattern("writer_rows_already_landed_total\\{table=\"" + facts + "\"} [1-9]");
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void poisonRecordsGoToTheDeadLetterTopicWhileGoodOnesFlow(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            sendFact(kafka, "{\"order_id\":2}", "{not json");
            sendFact(kafka, "{\"order_id\":3}", "{\"order_id\":\"three\",\"_version\":1,\"_deleted\":0}");
            sendFact(kafka, "{\"order_id\":4}", "{\"order_id\":4,\"status\":\"no version\"}");
            send(kafka, facts, null, "{\"order_id\":6}", fact(6, "no schema", 1, 0));
            sendFact(kafka, "{\"order_id\":5}", fact(5, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 2)).isTrue();
            assertThat(current(ch, facts, "order_id")).containsExactly("{\"order_id\":1}", "{\"order_id\":5}");
            try (TopicReader reader = new TopicReader(kafka, List.of(deadLetters))) {
                List<ConsumerRecord<byte[], byte[]>> dead = reader.readUntil(WAIT, rs -> rs.size() >= 4);
                assertThat(dead).hasSize(4);
                assertThat(dead).extracting(r -> new String(r.headers().lastHeader("cdc.error").value(), StandardCharsets.UTF_8))
                        .anySatisfy(e -> assertThat(e).startsWith("malformed JSON"))
                        .anySatisfy(e -> assertThat(e).contains(facts + ".order_id (Int32)"))
                        .anySatisfy(e -> assertThat(e).contains("no cdc.schema_id header"))
                        .anySatisfy(e -> assertThat(e).contains("_version"));
            }
        }
    }

    @Test
    void aRecordWhoseSchemaIsNotPublishedYetWaitsForItInsteadOfBeingDeadLettered(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        RowSchema later = dimension(2);
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
            // the records name a schema that is published only later (or on another schema topic)
            send(kafka, dims, later.id(), "{\"id\":1}", "{\"id\":1,\"name\":\"a\",\"tier\":\"gold\",\"_version\":1,\"_deleted\":0}");
            sendFact(kafka, "{\"order_id\":2}", fact(2, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> !w.sink.health().ready())).isTrue();
            assertThat(w.sink.health().detail()).contains("names schema " + later.id(), "schema topic " + schemaTopic, dims + "[",
                    "WRITER_SCHEMA_TOPIC");
            TestSchemas.publish(kafka, schemaTopic, later);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "name, tier").equals(
                    List.of("{\"name\":\"a\",\"tier\":\"gold\"}")))).as("the row lands once its schema is there").isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 2)).isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().ready())).isTrue();
            try (TopicReader reader = new TopicReader(kafka, List.of(deadLetters))) {
                assertThat(reader.readUntil(Duration.ofSeconds(3), rs -> false)).as("nothing dead-lettered").isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void aCurrentViewDroppedByHandComesBackAtTheNextStart(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
        }
        ch.query("DROP TABLE " + database + "." + facts + "_current");
        try (RunningWriter w = restartedWriter(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":2}", fact(2, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> {
                try {
                    return current(ch, facts, "order_id").size() == 2;
                } catch (IllegalStateException viewNotBackYet) {
                    return false;
                }
            })).isTrue();
        }
    }

    @Test
    void rowsClickHouseRefusesAreFoundAndDeadLetteredWhileTheRestLand(KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = ClickHouseEngine.CURRENT_CHDB.endpoint(); // CHECK constraints: ClickHouse 19.14 and later
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
            // a rule the table's owner added in ClickHouse, which the source data does not follow
            ch.query("ALTER TABLE " + database + "." + facts + " ADD CONSTRAINT no_void CHECK status != 'void'");
            for (int id = 2; id <= 9; id++) {
                sendFact(kafka, "{\"order_id\":" + id + "}", fact(id, id == 5 ? "void" : "new", 1, 0));
            }
            sendDim(kafka, 1, "{\"id\":1}", "{\"id\":1,\"name\":\"Ada\",\"_version\":1,\"_deleted\":0}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 8)).isTrue();
            assertThat(current(ch, facts, "order_id")).doesNotContain("{\"order_id\":5}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id").size() == 1)).isTrue();
            try (TopicReader reader = new TopicReader(kafka, List.of(deadLetters))) {
                List<ConsumerRecord<byte[], byte[]>> dead = reader.readUntil(WAIT, rs -> !rs.isEmpty());
                assertThat(dead).hasSize(1);
                assertThat(new String(dead.get(0).headers().lastHeader("cdc.error").value(), StandardCharsets.UTF_8))
                        .contains("ClickHouse refused the row", "(code 469)");
                assertThat(new String(dead.get(0).headers().lastHeader("cdc.source").value(), StandardCharsets.UTF_8)).startsWith(facts + "[");
                assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).startsWith("5\t").contains("void");
            }
            assertThat(w.sink.health().ready()).isTrue();
        }
    }

    @Test
    void aTableClickHouseCannotWriteHoldsBackOnlyItsOwnRowsWhileOtherTablesLand(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            sendDim(kafka, 1, "{\"id\":1}", "{\"id\":1,\"name\":\"Ada\",\"_version\":1,\"_deleted\":0}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1
                    && current(ch, dims, "id").size() == 1)).isTrue();
            // the facts table goes away in ClickHouse (an operator's mistake, a broken part, a lost replica): the
            // server answers, but cannot take that table's rows
            ch.query("RENAME TABLE " + database + "." + facts + " TO " + database + ".away_" + run);
            for (int id = 2; id <= 5; id++) {
                sendFact(kafka, "{\"order_id\":" + id + "}", fact(id, "while away", 1, 0));
                sendDim(kafka, 1, "{\"id\":" + id + "}", "{\"id\":" + id + ",\"name\":\"Dim " + id + "\",\"_version\":1,\"_deleted\":0}");
            }
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id").size() == 5))
                    .as("the dimension lands while the facts table fails").isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> !w.sink.health().ready())).isTrue();
            assertThat(w.sink.health().detail()).contains("ClickHouse is failing for [" + facts + "]");
            ch.query("RENAME TABLE " + database + ".away_" + run + " TO " + database + "." + facts);
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 5))
                    .as("the held rows land once the table is back").isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().ready())).isTrue();
            assertThat(current(ch, dims, "id")).hasSize(5);
        }
    }

    @Test
    void aCommittedOffsetThatRetentionDeletedIsReportedAndNeverSkipped(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        kafka.createTopics(1, facts);
        factSchema = TestSchemas.publish(kafka, schemaTopic, TestSchemas.ORDER_FACT);
        for (int id = 1; id <= 3; id++) {
            sendFact(kafka, "{\"order_id\":" + id + "}", fact(id, "new", 1, 0));
        }
        var partition = new org.apache.kafka.common.TopicPartition(facts, 0);
        try (org.apache.kafka.clients.admin.Admin admin = admin(kafka)) {
            // the writer had written record 0 when it stopped; then retention deleted records 0 and 1
            admin.alterConsumerGroupOffsets("writer-" + run, Map.of(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(1))).all().get();
            admin.deleteRecords(Map.of(partition, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(2))).all().get();
            try (RunningWriter w = new RunningWriter(ch, kafka, Map.of("CLICKHOUSE_DATABASE", database, "WRITER_TOPICS", facts,
                    "WRITER_GROUP_ID", "writer-" + run, "WRITER_DEAD_LETTER_TOPIC", deadLetters, "WRITER_SCHEMA_TOPIC", schemaTopic))) {
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().detail().contains("no longer exist in Kafka"))).isTrue();
                assertThat(w.sink.health().ready()).isFalse();
                assertThat(w.sink.health().detail()).contains(facts + "-0", "kafka-consumer-groups.sh --reset-offsets");
                assertThat(w.metrics.scrape()).contains("writer_offset_out_of_range_total{topic=\"" + facts + "\"} 1");
                Thread.sleep(2000);
                assertThat(admin.listConsumerGroupOffsets("writer-" + run).partitionsToOffsetAndMetadata().get().get(partition).offset())
                        .as("nothing skipped").isEqualTo(1);
            }
        }
    }

    @Test
    void aRecordTheDeadLetterTopicRefusesIsNeverCommittedPast(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = admin(kafka)) {
            // a dead-letter topic that refuses the bad record: too large for it
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(deadLetters, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "256")))).all().get();
            try (RunningWriter w = writer(ch, kafka)) {
                sendFact(kafka, "{\"order_id\":1}", "{not json " + "x".repeat(1000));
                sendFact(kafka, "{\"order_id\":2}", fact(2, "new", 1, 0));
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200),
                        () -> w.sink.health().detail().contains("the dead-letter topic " + deadLetters + " did not take a record"))).isTrue();
                int badPartition;
                try (TopicReader reader = new TopicReader(kafka, List.of(facts))) {
                    badPartition = reader.readUntil(WAIT, rs -> rs.size() >= 2).stream()
                            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).startsWith("{not json")).findFirst().orElseThrow().partition();
                }
                var committed = admin.listConsumerGroupOffsets("writer-" + run).partitionsToOffsetAndMetadata().get()
                        .get(new org.apache.kafka.common.TopicPartition(facts, badPartition));
                assertThat(committed == null ? 0 : committed.offset()).as("nothing committed past the refused dead letter").isZero();

                admin.incrementalAlterConfigs(Map.of(new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, deadLetters), List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "1048576"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
                try (TopicReader reader = new TopicReader(kafka, List.of(deadLetters))) {
                    assertThat(reader.readUntil(WAIT, rs -> !rs.isEmpty())).hasSizeGreaterThanOrEqualTo(1);
                }
                assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> {
                    try {
                        return admin.listConsumerGroupOffsets("writer-" + run).partitionsToOffsetAndMetadata().get().values().stream()
                                .mapToLong(o -> o == null ? 0 : o.offset()).sum() == 2;
                    } catch (Exception e) {
                        return false;
                    }
                })).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void aNewDimensionColumnAppearsWithoutARestart(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (RunningWriter w = writer(ch, kafka)) {
            sendDim(kafka, 1, "{\"id\":1}", "{\"id\":1,\"name\":\"Ada\",\"_version\":1,\"_deleted\":0}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id, name").size() == 1)).isTrue();
            sendDim(kafka, 2, "{\"id\":1}", "{\"id\":1,\"name\":\"Ada\",\"tier\":\"gold\",\"_version\":2,\"_deleted\":0}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () ->
                    current(ch, dims, "toInt32(id) AS id, name, tier").equals(List.of("{\"id\":1,\"name\":\"Ada\",\"tier\":\"gold\"}")))).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void twoWritersRacingToAlterTheSameTableConverge(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        try (RunningWriter a = writer(ch, kafka);
             RunningWriter b = new RunningWriter(ch, kafka, Map.of("CLICKHOUSE_DATABASE", database, "WRITER_TOPICS", facts + "," + dims,
                     "WRITER_GROUP_ID", "other-writer-" + run, "WRITER_DEAD_LETTER_TOPIC", deadLetters, "WRITER_SCHEMA_TOPIC", schemaTopic))) {
            sendDim(kafka, 1, "{\"id\":1}", "{\"id\":1,\"name\":\"Ada\",\"_version\":1,\"_deleted\":0}");
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id").size() == 1)).isTrue();
            // both writers read the same new columns at about the same time and both alter the one table
            for (int id = 2; id <= 6; id++) {
                sendDim(kafka, 2, "{\"id\":" + id + "}", "{\"id\":" + id + ",\"name\":\"n" + id + "\",\"tier\":\"gold\",\"_version\":1,\"_deleted\":0}");
                sendDim(kafka, 3, "{\"id\":" + (id + 10) + "}", "{\"id\":" + (id + 10) + ",\"name\":\"m\",\"tier\":\"silver\",\"score\":1.25,"
                        + "\"_version\":1,\"_deleted\":0}");
            }
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id").size() == 11
                    && current(ch, dims, "toString(score) AS score").stream().filter(r -> r.contains("1.25")).count() == 5))
                    .as("rows: %s", current(ch, dims, "*")).isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> a.sink.health().ready() && b.sink.health().ready())).isTrue();
        }
    }

    @Test
    void aClickHouseOutageIsSurvivedWithoutLoss(ClickHouseEndpoint ch, KafkaEndpoint kafka) throws Exception {
        LocalClickHouse server = Services.localClickHouse().orElse(null);
        Assumptions.assumeTrue(server != null, "needs the ClickHouse server this harness started, to stop and start it");
        try (RunningWriter w = writer(ch, kafka)) {
            sendFact(kafka, "{\"order_id\":1}", fact(1, "new", 1, 0));
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, facts, "order_id").size() == 1)).isTrue();
            server.stopServer();
            for (int id = 2; id <= 50; id++) {
                sendFact(kafka, "{\"order_id\":" + id + "}", fact(id, "during outage", 1, 0));
            }
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> !w.sink.health().ready()))
                    .as("not ready while ClickHouse is down").isTrue();
            Thread.sleep(10_000);
            server.startAgain();
            assertThat(Waiting.until(Duration.ofSeconds(90), Duration.ofMillis(500), () -> current(ch, facts, "order_id").size() == 50))
                    .as("all 50 rows after ClickHouse returned").isTrue();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> w.sink.health().ready())).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(ClickHouseEngine.class)
    void anyTextAndColumnsAddedMidBatchArriveExactly(ClickHouseEngine engine, KafkaEndpoint kafka) throws Exception {
        ClickHouseEndpoint ch = engine.endpoint();
        String tricky = "tab\there, line\nbreak, back\\slash \\N, zoë ✓ 😀";
        try (RunningWriter w = writer(ch, kafka);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            // sent together, so that one batch sees the table gain columns half way
            dimSchemas[1] = TestSchemas.publish(kafka, schemaTopic, dimension(2));
            dimSchemas[2] = TestSchemas.publish(kafka, schemaTopic, dimension(3));
            int version = 0;
            for (String[] record : new String[][] {
                    {"{\"id\":1}", "{\"id\":1,\"name\":" + io.cdcflow.common.json.Json.text(
                            io.cdcflow.common.json.Json.MAPPER.getNodeFactory().textNode(tricky)) + ",\"_version\":1,\"_deleted\":0}"},
                    {"{\"id\":2}", "{\"id\":2,\"name\":\"Bo\",\"tier\":\"gold\",\"_version\":1,\"_deleted\":0}"},
                    {"{\"id\":3}", "{\"id\":3,\"name\":null,\"tier\":\"silver\",\"score\":12.5e1,\"_version\":1,\"_deleted\":0}"}}) {
                producer.send(TestSchemas.record(dims, dimSchemas[version++], record[0], record[1]));
            }
            producer.flush();
            assertThat(Waiting.until(WAIT, Duration.ofMillis(200), () -> current(ch, dims, "id").size() == 3)).isTrue();
            List<com.fasterxml.jackson.databind.JsonNode> rows = current(ch, dims, "id, name, tier, toFloat64(score) AS score").stream()
                    .map(io.cdcflow.common.json.Json::read).toList();
            assertThat(rows.get(0).get("name").asText()).isEqualTo(tricky);
            assertThat(rows.get(0).get("tier").isNull()).isTrue();
            assertThat(rows.get(1).get("tier").asText()).isEqualTo("gold");
            assertThat(rows.get(2).get("name").isNull()).isTrue();
            assertThat(rows.get(2).get("score").asDouble()).isEqualTo(125.0);
        }
    }
}
