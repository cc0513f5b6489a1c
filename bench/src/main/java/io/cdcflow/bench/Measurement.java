package io.cdcflow.bench;

/** One figure of the report: what was measured, by whom, how much per second, and the CPU it took. */
record Measurement(String stage, String system, long units, double seconds, double cpuSeconds, String note) {
    /** The faster of the best run so far (null before the first) and this one. */
    static Measurement faster(Measurement best, Measurement run) {
        return best == null || run.seconds() < best.seconds() ? run : best;
    }

    double perSecond() {
        return units / seconds;
    }

    /** CPU seconds per million units, or NaN when not measured. */
    double cpuPerMillion() {
        return cpuSeconds < 0 ? Double.NaN : cpuSeconds / units * 1_000_000;
    }
}
