package io.cdcflow.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HeapWatchTest {
    @Test
    void aCollectionLeavingThePoolAboveTheFractionIsReported() throws Exception {
        List<HeapWatch.Used> reports = new CopyOnWriteArrayList<>();
        byte[] kept = new byte[8 << 20]; // live through the collection: the old generation is never empty after it
        try (HeapWatch watch = new HeapWatch(1e-9, reports::add)) {
            System.gc();
            for (int i = 0; i < 100 && reports.isEmpty(); i++) {
                Thread.sleep(20);
            }
        }
        assertThat(kept).hasSize(8 << 20);
        assertThat(reports).isNotEmpty().allSatisfy(u -> assertThat(u.fraction()).isGreaterThan(0).isLessThanOrEqualTo(1));
    }

    @Test
    void nothingIsReportedBelowTheFraction() throws Exception {
        List<HeapWatch.Used> reports = new CopyOnWriteArrayList<>();
        try (HeapWatch watch = new HeapWatch(1.0, reports::add)) {
            System.gc();
            Thread.sleep(200);
        }
        assertThat(reports).isEmpty();
    }
}
