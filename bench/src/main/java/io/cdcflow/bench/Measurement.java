package io.cdcflow.bench;

/** One figure of the report: what was measured, by whom, how much per second, and the CPU it took. */
record Measurement(String stage, String system, long units, double seconds, double cpuSeconds, String note) {
    double perSecond() {
        return units / seconds;
    }

    /** CPU seconds per million units, or NaN when not measured. */
    double cpuPerMillion() {
        return cpuSeconds < 0 ? Double.NaN : cpuSeconds / units * 1_000_000;
    }
}
