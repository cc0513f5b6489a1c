package io.cdcflow.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling until a condition holds, for service start-up and for tests of asynchronous pipelines. */
public final class Waiting {
    private Waiting() {
    }

    /** True when the condition held within the timeout. Exceptions from the condition count as "not yet". */
    public static boolean until(Duration timeout, Duration interval, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException notYet) {
                // not ready yet; try again
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
