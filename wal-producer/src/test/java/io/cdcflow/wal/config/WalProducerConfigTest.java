package io.cdcflow.wal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How long Kafka keeps the changes of topics the producer creates: never dropped unconsumed unless asked. */
class WalProducerConfigTest {

    @Test
    void readmeTableIsTheDeclaredSettings() {
        assertThat(io.cdcflow.testsupport.ReadmeSettings.drift(WalProducerConfig.SETTINGS)).isNull();
    }

    private static WalProducerConfig config(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return WalProducerConfig.from(new Env(env));
    }

    @Test
    void perTableTopicsAreCompactedByDefault() {
        assertThat(config().changeTopicConfig()).containsExactly(Map.entry("cleanup.policy", "compact"));
    }

    @Test
    void theSingleTopicKeepsEverythingByDefaultAndRefusesCompaction() {
        assertThat(config("POSTGRES_CDC_TOPIC", "cdc_events").changeTopicConfig())
                .containsEntry("retention.ms", "-1").containsEntry("retention.bytes", "-1").containsEntry("cleanup.policy", "delete");
        assertThatThrownBy(() -> config("POSTGRES_CDC_TOPIC", "cdc_events", "POSTGRES_CDC_TOPIC_RETENTION", "compact"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("share one topic");
    }

    @Test
    void aRetentionTheUserSetsIsTaken() {
        assertThat(config("POSTGRES_CDC_TOPIC_RETENTION", "168h").changeTopicConfig()).containsEntry("retention.ms", "604800000");
        assertThatThrownBy(() -> config("POSTGRES_CDC_TOPIC_RETENTION", "a week"))
                .hasMessage("POSTGRES_CDC_TOPIC_RETENTION must be compact, forever or a duration such as 168h, got 'a week'");
    }

    @Test
    void theFactsFileIsTheBuiltInOneUnlessSetAndAUserFileOfTheBuiltInsNameIsTheUsers() {
        assertThat(config().factsFile()).isEqualTo(WalProducerConfig.BUILT_IN_FACTS);
        assertThat(config("POSTGRES_CDC_FACTS_FILE", "none").factsFile()).isNull();
        assertThat(config("POSTGRES_CDC_FACTS_FILE", WalProducerConfig.BUILT_IN_FACTS_RESOURCE).factsFile())
                .isEqualTo("facts/typeorm.sql").isNotEqualTo(WalProducerConfig.BUILT_IN_FACTS);
    }
}
