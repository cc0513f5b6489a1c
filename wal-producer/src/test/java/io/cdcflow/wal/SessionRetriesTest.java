package io.cdcflow.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionRetriesTest {
    private static final Duration SHORT = Duration.ofSeconds(2);

    @Test
    void sessionsThatKeepFailingWaitLongerUpToHalfAMinute() {
        SessionRetries retries = new SessionRetries();
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            pauses.add(retries.failed(SHORT, false).toSeconds());
        }
        assertThat(pauses).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    }

    @Test
    void aSessionThatRanOverAMinuteWasHealthyAndStartsTheBackoffOver() {
        SessionRetries retries = new SessionRetries();
        for (int i = 0; i < 5; i++) {
            retries.failed(SHORT, false);
        }
        assertThat(retries.failed(Duration.ofMinutes(5), false)).isEqualTo(Duration.ofSeconds(1));
        assertThat(retries.failed(SHORT, false)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aStandbyAsksForTheBusySlotEverySecond() {
        SessionRetries retries = new SessionRetries();
        retries.failed(SHORT, false);
        retries.failed(SHORT, false);
        for (int i = 0; i < 4; i++) {
            assertThat(retries.failed(SHORT, true)).as("standby, attempt %d", i).isEqualTo(Duration.ofSeconds(1));
        }
        assertThat(retries.failed(SHORT, false)).as("a failure after the slot was taken over").isEqualTo(Duration.ofSeconds(2));
    }
}
