package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheFirstPauseUpToTheLongest() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        List<Long> pauses = new ArrayList<>();
        Duration pause = backoff.first();
        for (int i = 0; i < 8; i++) {
            pauses.add(pause.toSeconds());
            pause = backoff.after(pause);
        }
        assertThat(pauses).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void aLongestPauseEqualToTheFirstNeverGrows() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofMillis(500));
        assertThat(backoff.after(backoff.first())).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesPausesThatCannotBackOff() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a backoff's first pause must be positive, not PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a backoff's longest pause (PT1S) is shorter than its first (PT2S)");
    }
}
