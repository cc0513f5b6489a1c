package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theRateCountsFromWhereTheWorkWasFirstSeenAndTheTimeLeftFollowsIt() {
        Progress progress = new Progress(0, 1_000);
        progress.update(3_000, -1);
        assertThat(progress.rate(2 * SECOND)).isCloseTo(1_000, within(0.001));
        assertThat(progress.remaining(2 * SECOND)).as("no total yet").isEqualTo(-1);
        progress.update(3_000, 10_000);
        assertThat(progress.remaining(2 * SECOND)).isCloseTo(7, within(0.001));
        assertThat(progress.percent()).isEqualTo(30);
        assertThat(progress.seconds(2 * SECOND)).isCloseTo(2, within(0.001));
    }

    @Test
    void noRateYetMeansNoTimeLeftRatherThanInfinity() {
        Progress progress = new Progress(5 * SECOND, 0);
        progress.update(0, 0);
        assertThat(progress.percent()).as("nothing to do is all done").isEqualTo(100);
        progress.update(0, 100);
        assertThat(progress.rate(6 * SECOND)).isZero();
        assertThat(progress.remaining(6 * SECOND)).isEqualTo(-1);
    }

    @Test
    void finishedWorkKeepsItsRateAndHasNothingLeft() {
        Progress progress = new Progress(0, 0);
        progress.update(500, 1_000);
        progress.finish(SECOND);
        assertThat(progress.finished()).isTrue();
        assertThat(progress.rate(100 * SECOND)).isCloseTo(500, within(0.001));
        assertThat(progress.seconds(100 * SECOND)).isCloseTo(1, within(0.001));
        assertThat(progress.remaining(100 * SECOND)).isZero();
    }
}
