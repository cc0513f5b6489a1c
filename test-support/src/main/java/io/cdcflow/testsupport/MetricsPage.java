package io.cdcflow.testsupport;

/**
 * One sample of a deployable's {@code /metrics} page (Prometheus' text format), for tests that check what an operator
 * would read there. Fails the test, with the page, when the sample is missing.
 */
public final class MetricsPage {
    private MetricsPage() {
    }

    /** The value of the unlabelled sample {@code name}. */
    public static double value(String page, String name) {
        return sample(page, name);
    }

    /** The value of {@code name}'s sample for one table: {@code name{table="<table>"}}. */
    public static double value(String page, String name, String table) {
        return sample(page, name + "{table=\"" + table + "\"}");
    }

    private static double sample(String page, String series) {
        String prefix = series + " ";
        return page.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in /metrics:\n" + page));
    }
}
