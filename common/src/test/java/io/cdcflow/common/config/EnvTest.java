package io.cdcflow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
    private final Env env = new Env(Map.of(
            "BATCH_ROWS", "5000", "BAD_NUMBER", "5k", "FLAG", "yes", "WAIT", "2m", "BLANK", "  ",
            "TABLES", " customers, orders ,,", "KAFKA_SASL_MECHANISM", "PLAIN", "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "ADDR", "0.0.0.0:4195"));

    @Test
    void readsTypedValuesWithDefaults() {
        assertThat(env.integer("BATCH_ROWS", 1)).isEqualTo(5000);
        assertThat(env.integer("MISSING", 7)).isEqualTo(7);
        assertThat(env.bool("FLAG", false)).isTrue();
        assertThat(env.duration("WAIT", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(env.string("BLANK", "default")).isEqualTo("default");
        assertThat(env.list("TABLES", List.of())).containsExactly("customers", "orders");
        assertThat(env.hostPort("ADDR", "x:1")).isEqualTo(new HostPort("0.0.0.0", 4195));
        assertThat(env.firstOf("MISSING", "BATCH_ROWS")).contains("5000");
    }

    @Test
    void errorsNameTheVariable() {
        assertThatThrownBy(() -> env.integer("BAD_NUMBER", 1))
                .isInstanceOf(ConfigException.class).hasMessage("BAD_NUMBER must be a whole number, got '5k'");
        assertThatThrownBy(() -> env.required("POSTGRES_CDC_DSN", "the PostgreSQL connection"))
                .hasMessageContaining("POSTGRES_CDC_DSN is not set");
        assertThatThrownBy(() -> env.integer("BATCH_ROWS", 1, 1, 100)).hasMessageContaining("between 1 and 100");
        assertThatThrownBy(() -> env.hostPort("FLAG", "x:1")).hasMessageContaining("FLAG must be host:port");
    }

    @Test
    void prefixedVariablesBecomeClientProperties() {
        assertThat(env.asProperties("KAFKA_"))
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("security.protocol", "SASL_SSL");
    }
}
