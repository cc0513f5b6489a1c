package io.cdcflow.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling until a condition holds, for service start-up and for tests of asynchronous pipelines. */
public final class Waiting {
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Waiting() {
    }

    /** Whether {@code url} answers 200 now (within 2 s): a {@code /ready} or {@code /ping}; false when it cannot be reached. */
    public static boolean answers(String url) {
        try {
            return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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

    /** Sleeps, keeping an interrupt for the caller to see (a pause between steps of a test or a demo). */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until {@code url} answers 200 while {@code process} runs (a ClickHouse-style {@code /ping}).
     *
     * @return false when it did not within the timeout, or the process exited
     */
    static boolean forPing(ManagedProcess process, String url, Duration timeout) {
        return until(timeout, Duration.ofMillis(200), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("exited");
            }
            return answers(url);
        });
    }
}
