package io.cdcflow.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogSamplerTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final LogSampler sampler = new LogSampler(lines::add, Duration.ofSeconds(60), clock::get);

    @Test
    void aFloodOfOneReasonIsOneLineThenACountPerInterval() {
        for (int i = 0; i < 100_000; i++) {
            sampler.record("malformed JSON in t", "dead-lettered record at t[0]@" + i + ": malformed JSON");
        }
        assertThat(lines).containsExactly("dead-lettered record at t[0]@0: malformed JSON (more of this kind are counted and summed up every 60 s)");
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        sampler.record("malformed JSON in t", "dead-lettered record at t[0]@100000: malformed JSON");
        assertThat(lines).hasSize(2).last().isEqualTo("100000 more of this kind since the last summary (100001 in all): malformed JSON in t");
    }

    @Test
    void eachReasonIsLoggedInFullOnce() {
        sampler.record("a", "first a");
        sampler.record("b", "first b");
        sampler.record("a", "second a");
        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("first"));
    }
}
