package io.cdcflow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {
    enum Mode { FAST, SAFE_MODE }

    private static final Setting<String> SERVERS = Setting.text("APP_SERVERS", "localhost:9092", "Kafka").or("OLD_SERVERS");
    private static final Setting<Duration> WAIT = Setting.duration("APP_WAIT", Duration.ofMillis(200), "how long");
    private static final Setting<Mode> MODE = Setting.choice("APP_MODE", Mode.SAFE_MODE, Mode.class, "which mode");
    private static final Setting<Integer> COUNT = Setting.integer("APP_COUNT", 3, 1, 10, "how many");
    private static final Setting<String> TOPIC = Setting.text("APP_TOPIC", null, "where").shownDefault("`<prefix>.x`");
    private static final Setting<Map<String, String>> KAFKA = Setting.properties("KAFKA_", "any client property");

    @Test
    void aSettingReadsItsNameThenItsOtherNamesThenItsDefault() {
        assertThat(SERVERS.from(new Env(Map.of()))).isEqualTo("localhost:9092");
        assertThat(SERVERS.from(new Env(Map.of("OLD_SERVERS", "old:1")))).isEqualTo("old:1");
        assertThat(SERVERS.from(new Env(Map.of("OLD_SERVERS", "old:1", "APP_SERVERS", "new:1")))).isEqualTo("new:1");
        assertThat(TOPIC.from(new Env(Map.of()))).isNull();
        assertThat(TOPIC.from(new Env(Map.of()), "p.x")).isEqualTo("p.x");
        assertThat(WAIT.from(new Env(Map.of("APP_WAIT", "2m")))).isEqualTo(Duration.ofMinutes(2));
        assertThat(MODE.from(new Env(Map.of("APP_MODE", "fast")))).isEqualTo(Mode.FAST);
        assertThat(KAFKA.from(new Env(Map.of("KAFKA_LINGER_MS", "5")))).isEqualTo(Map.of("linger.ms", "5"));
    }

    @Test
    void aBadValueNamesTheVariableThatHoldsIt() {
        assertThatThrownBy(() -> COUNT.from(new Env(Map.of("APP_COUNT", "11"))))
                .isInstanceOf(ConfigException.class).hasMessage("APP_COUNT must be between 1 and 10, got 11");
        Setting<Integer> aliased = Setting.integer("NEW_COUNT", 3, 1, 10, "how many").or("OLD_COUNT");
        assertThatThrownBy(() -> aliased.from(new Env(Map.of("OLD_COUNT", "x"))))
                .isInstanceOf(ConfigException.class).hasMessage("OLD_COUNT must be a whole number, got 'x'");
    }

    @Test
    void theTableShowsEachSettingOnceWithItsDefaultAsTheCodeDeclaresIt() {
        Settings settings = new Settings("app", List.of("APP_"), List.of(SERVERS, WAIT, MODE, COUNT, TOPIC, KAFKA));
        assertThat(settings.markdownTable()).isEqualTo("""
                | variable | default | meaning |
                |---|---|---|
                | `APP_SERVERS` or `OLD_SERVERS` | `localhost:9092` | Kafka |
                | `APP_WAIT` | `200ms` | how long |
                | `APP_MODE` | `safe_mode` | which mode |
                | `APP_COUNT` | `3` | how many |
                | `APP_TOPIC` | `<prefix>.x` | where |
                | `KAFKA_*` | — | any client property |
                """);
        assertThat(settings.unknown(new Env(Map.of("APP_COUNTS", "2", "KAFKA_ACKS", "all", "APP_WAIT", "1s"))))
                .containsExactly("APP_COUNTS is not a setting of the app (did you mean APP_COUNT?): it is ignored");
    }

    @Test
    void helpListsEachSettingWithItsDefaultAsPlainText() {
        Settings settings = new Settings("app", List.of("APP_"), List.of(SERVERS, TOPIC, KAFKA,
                Setting.text("APP_NOTE", null, "see [the docs](docs/x.md) for `a` " + "word ".repeat(30).trim())));
        assertThat(settings.help()).isEqualTo("""
                app: every setting is an environment variable (README, Configuration)

                APP_SERVERS or OLD_SERVERS  (default: localhost:9092)
                    Kafka

                APP_TOPIC  (default: <prefix>.x)
                    where

                KAFKA_*  (default: none)
                    any client property

                APP_NOTE  (default: none)
                    see the docs for a word word word word word word word word word word word word word word word
                    word word word word word word word word word word word word word word word
                """);
    }

    @Test
    void durationsShowInTheirLargestWholeUnit() {
        assertThat(Setting.shown(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Setting.shown(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Setting.shown(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Setting.shown(Duration.ofHours(168))).isEqualTo("168h");
        assertThat(Setting.shown(Duration.ZERO)).isEqualTo("0");
    }
}
