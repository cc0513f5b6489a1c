package io.cdcflow.writer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Backoff;
import io.cdcflow.writer.schema.ClusterLayout;
import io.cdcflow.writer.sink.KafkaClients;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriterConfigTest {

    @Test
    void readmeTableIsTheDeclaredSettings() {
        assertThat(io.cdcflow.testsupport.ReadmeSettings.drift(WriterConfig.SETTINGS)).isNull();
    }


    private static WriterConfig config(Map<String, String> env) {
        return WriterConfig.from(new Env(env));
    }

    @Test
    void oneServerUnlessAClusterOrReplicationIsAskedFor() {
        ClusterLayout single = config(Map.of()).layout();
        assertThat(single.cluster()).isNull();
        assertThat(single.replicated()).isFalse();
        assertThat(single.sharded()).isFalse();
        assertThat(single.describe()).isEqualTo("one server");
        ClusterLayout cluster = config(Map.of("CLICKHOUSE_CLUSTER", "analytics")).layout();
        assertThat(cluster.replicated()).isTrue();
        assertThat(cluster.onCluster()).isEqualTo(" ON CLUSTER `analytics`");
        assertThat(cluster.zookeeperPath()).isEqualTo("/clickhouse/tables/{shard}/{database}/{table}");
        assertThat(cluster.replicaName()).isEqualTo("{replica}");
        ClusterLayout replicas = config(Map.of("CLICKHOUSE_REPLICATED", "true", "CLICKHOUSE_REPLICA_NAME", "{host}")).layout();
        assertThat(replicas.cluster()).isNull();
        assertThat(replicas.replicated()).isTrue();
        assertThat(replicas.onCluster()).isEmpty();
        assertThat(replicas.replicaName()).isEqualTo("{host}");
    }

    @Test
    void clusterSettingsThatCannotWorkAreRefusedByName() {
        assertThatThrownBy(() -> config(Map.of("CLICKHOUSE_CLUSTER", "a b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CLICKHOUSE_CLUSTER");
        assertThatThrownBy(() -> config(Map.of("CLICKHOUSE_CLUSTER", "c", "CLICKHOUSE_REPLICATED", "false")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CLICKHOUSE_REPLICATED=false");
        assertThatThrownBy(() -> config(Map.of("CLICKHOUSE_REPLICATED", "true", "CLICKHOUSE_ZOOKEEPER_PATH", "/same/for/all")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CLICKHOUSE_ZOOKEEPER_PATH must contain {table}");
    }

    @Test
    void retriesStartAtOneSecondOrTheLongestPauseWhenShorterAndNeverWithoutPause() {
        assertThat(config(Map.of()).backoff()).isEqualTo(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        assertThat(config(Map.of("WRITER_MAX_BACKOFF", "300ms")).backoff())
                .isEqualTo(new Backoff(Duration.ofMillis(300), Duration.ofMillis(300)));
        assertThatThrownBy(() -> config(Map.of("WRITER_MAX_BACKOFF", "0ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WRITER_MAX_BACKOFF must be longer than 0 ms");
    }

    @Test
    void aWriterIsAStaticGroupMemberNamedAfterItsHostAndPort() {
        WriterConfig config = config(Map.of("WRITER_HTTP_ADDR", "0.0.0.0:8090"));
        assertThat(config.instanceId()).endsWith("-8090");
        assertThat(KafkaClients.consumer(config)).containsEntry("group.instance.id", config.instanceId());
        assertThat(config(Map.of("WRITER_INSTANCE_ID", "writer-a")).instanceId()).isEqualTo("writer-a");
        WriterConfig dynamic = config(Map.of("WRITER_INSTANCE_ID", "none"));
        assertThat(dynamic.instanceId()).isNull();
        assertThat(KafkaClients.consumer(dynamic)).doesNotContainKey("group.instance.id");
        assertThat(config(Map.of("WRITER_HTTP_ADDR", "127.0.0.1:0")).instanceId())
                .as("a port the system picks differs after a restart: no static id").isNull();
    }

    @Test
    void aMirrorReadsTheSchemaTopicOfItsTopicsPrefix() {
        assertThat(config(Map.of("WRITER_TOPICS", "shop.public.*")).schemaTopic()).isEqualTo("shop._schemas");
        assertThat(config(Map.of("WRITER_TOPICS", "eu.shop.public.orders,eu.shop.sales.items")).schemaTopic()).isEqualTo("eu.shop._schemas");
        assertThat(config(Map.of("WRITER_TOPICS", "cdc.public.*")).schemaTopic()).isEqualTo("cdc._schemas");
        assertThat(config(Map.of()).schemaTopic()).as("facts: no prefix in their names").isEqualTo("cdc._schemas");
        assertThat(config(Map.of("WRITER_TOPICS", "a.public.t,b.public.t")).schemaTopic()).as("two prefixes").isEqualTo("cdc._schemas");
        assertThat(config(Map.of("WRITER_TOPICS", "shop.public.*", "WRITER_SCHEMA_TOPIC", "mine")).schemaTopic()).isEqualTo("mine");
    }
}
