package io.cdcflow.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.testsupport.ReadmeSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamsAppConfigTest {

    @Test
    void readmeTableIsTheDeclaredSettings() {
        assertThat(ReadmeSettings.drift(StreamsAppConfig.SETTINGS)).isNull();
    }

    @Test
    void defaultsFollowTheProducersPrefixAndSchema() {
        StreamsAppConfig config = StreamsAppConfig.from(new Env(Map.of("POSTGRES_CDC_TOPIC_PREFIX", "shop", "POSTGRES_CDC_SCHEMA", "sales",
                "STREAMS_HTTP_ADDR", "0.0.0.0:9001", "STREAMS_INSTANCE_ID", "none")));
        assertThat(config.inputTopic("orders")).isEqualTo("shop.sales.orders");
        assertThat(config.deadLetterTopic()).isEqualTo("shop._streams_dead_letter");
        assertThat(config.schemaTopic()).isEqualTo("shop._schemas");
        assertThat(config.advertisedAddress()).isEqualTo("localhost:9001");
        assertThat(config.instanceId()).isEmpty();
        assertThat(config.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(config.exactlyOnce()).isTrue();
        assertThat(StreamsAppConfig.from(new Env(Map.of("STREAMS_PROCESSING_GUARANTEE", "at_least_once"))).exactlyOnce()).isFalse();
        assertThat(config.localTables()).isNull();
        assertThat(StreamsAppConfig.from(new Env(Map.of("STREAMS_LOCAL_TABLES", "none"))).localTables()).isEmpty();
        assertThat(StreamsAppConfig.from(new Env(Map.of("STREAMS_LOCAL_TABLES", "customers, products"))).localTables())
                .isEqualTo(List.of("customers", "products"));
    }

    @Test
    void aBadValueIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> StreamsAppConfig.from(new Env(Map.of("STREAMS_NUM_THREADS", "0"))))
                .isInstanceOf(ConfigException.class).hasMessage("STREAMS_NUM_THREADS must be between 1 and 64, got 0");
        assertThatThrownBy(() -> StreamsAppConfig.from(new Env(Map.of("STREAMS_STATE_STORES", "disk"))))
                .isInstanceOf(ConfigException.class).hasMessage("STREAMS_STATE_STORES must be one of [rocksdb, memory], got 'disk'");
        assertThatThrownBy(() -> StreamsAppConfig.from(new Env(Map.of("STREAMS_TABLE_ORDERS", "o"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("STREAMS_TABLE_* variables are no longer read");
    }

    @Test
    void aMistypedSettingIsNamedWithTheOneMeant() {
        assertThat(StreamsAppConfig.SETTINGS.unknown(new Env(Map.of("STREAMS_LOCAL_TABLE", "customers", "STREAMS_NUM_THREADS", "2",
                "STREAMS_WHATEVER_ELSE", "1", "HOME", "/root"))))
                .containsExactly("STREAMS_LOCAL_TABLE is not a setting of the streams-app (did you mean STREAMS_LOCAL_TABLES?): it is ignored",
                        "STREAMS_WHATEVER_ELSE is not a setting of the streams-app: it is ignored");
    }
}
