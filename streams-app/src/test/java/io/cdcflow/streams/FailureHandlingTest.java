package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Backoff;
import io.cdcflow.streams.config.StreamsAppConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/** Which failures stop the streams-app with one line, and how the others are retried. */
class FailureHandlingTest {
    private final StreamsAppConfig config = StreamsAppConfig.from(new Env(Map.of("STREAMS_APPLICATION_ID", "app-1",
            "STREAMS_INSTANCE_ID", "host-8081")));

    @Test
    void errorsNoRetryCanFixNameTheSettingToChange() {
        assertThat(FatalErrors.describe(new StreamsException(new InconsistentGroupProtocolException("x")), config))
                .contains("consumer group app-1 (STREAMS_APPLICATION_ID)", "WRITER_GROUP_ID");
        assertThat(FatalErrors.describe(new FencedInstanceIdException("x"), config)).contains("STREAMS_INSTANCE_ID (host-8081)");
        assertThat(FatalErrors.describe(new StreamsException(new TimeoutException("broker slow")), config)).isNull();
    }

    @Test
    void theSameFailureAgainWaitsTwiceAsLongUpToTheLimitAndADifferentOneStartsOver() {
        RepeatedFailures failures = new RepeatedFailures(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5)));
        assertThat(failures.next("a")).isEqualTo(Duration.ofSeconds(1));
        assertThat(failures.next("a")).isEqualTo(Duration.ofSeconds(2));
        assertThat(failures.next("a")).isEqualTo(Duration.ofSeconds(4));
        assertThat(failures.next("a")).isEqualTo(Duration.ofSeconds(5));
        assertThat(failures.repeats()).isEqualTo(4);
        assertThat(failures.next("b")).isEqualTo(Duration.ofSeconds(1));
        assertThat(failures.repeats()).isEqualTo(1);
    }

    @Test
    void theRemovedNamingVariablesStopTheAppSayingWhatReplacesThem() {
        assertThatThrownBy(() -> StreamsAppConfig.from(new Env(Map.of("STREAMS_TABLE_ORDERS", "order"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("STREAMS_FACTS_FILE");
    }

    @Test
    void exactlyOnceIsTheDefault() {
        assertThat(config.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(StreamsApp.properties(config)).containsEntry("consumer.group.instance.id", "host-8081");
    }

    @Test
    void theAppsOwnTopicsAreCompressedUnlessTheUserSaysOtherwise() {
        assertThat(StreamsApp.properties(config)).containsEntry("producer.compression.type", "lz4");
        StreamsAppConfig uncompressed = StreamsAppConfig.from(new Env(Map.of("KAFKA_PRODUCER_COMPRESSION_TYPE", "none")));
        assertThat(StreamsApp.properties(uncompressed)).containsEntry("producer.compression.type", "none");
    }

    @Test
    void theProducerLingersOnlyWhereTheCommitHidesIt() {
        assertThat(StreamsApp.properties(config)).containsEntry("producer.linger.ms", 100).containsEntry("producer.batch.size", 131072);
        StreamsAppConfig atLeastOnce = StreamsAppConfig.from(new Env(Map.of("STREAMS_PROCESSING_GUARANTEE", "at_least_once")));
        assertThat(StreamsApp.properties(atLeastOnce)).containsEntry("producer.linger.ms", 5).doesNotContainKey("producer.batch.size");
        StreamsAppConfig chosen = StreamsAppConfig.from(new Env(Map.of("KAFKA_PRODUCER_LINGER_MS", "20")));
        assertThat(StreamsApp.properties(chosen)).containsEntry("producer.linger.ms", "20");
    }

    @Test
    void noneMeansDynamicMembership() {
        StreamsAppConfig dynamic = StreamsAppConfig.from(new Env(Map.of("STREAMS_INSTANCE_ID", "none")));
        assertThat(StreamsApp.properties(dynamic)).doesNotContainKey("consumer.group.instance.id");
    }
}
