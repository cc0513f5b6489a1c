package io.cdcflow.common.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * A small metrics registry rendered in the Prometheus text format (version 0.0.4). Counters and gauges with
 * labels, plus collectors that contribute whole families (the Kafka client metrics, for instance).
 */
public final class Metrics {
    private final Map<String, Family> families = new ConcurrentSkipListMap<>();
    private final List<Supplier<List<Sample>>> collectors = new CopyOnWriteArrayList<>();
    /** Collectors registered under a name: registering the name again replaces the collector. */
    private final Map<String, Supplier<List<Sample>>> namedCollectors = new ConcurrentSkipListMap<>();

    /** One line of output: {@code name{labels} value}. */
    public record Sample(String name, String help, String type, Map<String, String> labels, double value) {
    }

    public Counter counter(String name, String help, String... labelNames) {
        return (Counter) families.computeIfAbsent(name, n -> new Counter(n, help, labelNames));
    }

    /**
     * A value read at scrape time. Registering the same name again replaces the supplier: a component that is
     * rebuilt (a new replication session, a new snapshot) reports its own state, not its predecessor's.
     */
    public void gauge(String name, String help, DoubleSupplier value) {
        families.put(name, new Gauge(name, help, value));
    }

    public void collector(Supplier<List<Sample>> collector) {
        collectors.add(collector);
    }

    /** A collector that replaces the one registered under {@code name} before (a rebuilt component's). */
    public void collector(String name, Supplier<List<Sample>> collector) {
        namedCollectors.put(name, collector);
    }

    /**
     * A gauge per entry of {@code series} as it is at scrape time, labelled {@code label} with the entry's key (a
     * family whose series come as the entries do: a table's snapshot), replacing what was registered under {@code name}.
     */
    public <T> void gauges(String name, String help, String label, Map<String, T> series, java.util.function.ToDoubleFunction<T> value) {
        collector(name, () -> {
            List<Sample> samples = new ArrayList<>(series.size());
            series.forEach((key, t) -> samples.add(new Sample(name, help, "gauge", Map.of(label, key), value.applyAsDouble(t))));
            return samples;
        });
    }

    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        for (Family family : families.values()) {
            family.render(out);
        }
        String lastName = null;
        List<Supplier<List<Sample>>> all = new ArrayList<>(collectors);
        all.addAll(namedCollectors.values());
        for (Supplier<List<Sample>> collector : all) {
            for (Sample sample : collector.get()) {
                if (!sample.name().equals(lastName)) {
                    header(out, sample.name(), sample.help(), sample.type());
                    lastName = sample.name();
                }
                line(out, sample.name(), sample.labels(), sample.value());
            }
        }
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder out, String name, Map<String, String> labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(label.getKey()).append("=\"")
                        .append(label.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                        .append('"');
            }
            out.append('}');
        }
        out.append(' ');
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf") : Double.toString(value));
        }
        out.append('\n');
    }

    private interface Family {
        void render(StringBuilder out);
    }

    /** A monotonically increasing count, one series per combination of label values. */
    public static final class Counter implements Family {
        private final String name;
        private final String help;
        private final String[] labelNames;
        private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

        private Counter(String name, String help, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = labelNames.clone();
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(long amount, String... labelValues) {
            series(labelValues).add(amount);
        }

        /** The series for these label values, to add to without a lookup each time (hot paths). */
        public LongAdder series(String... labelValues) {
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException(name + " takes labels " + List.of(labelNames));
            }
            return series.computeIfAbsent(List.of(labelValues), k -> new LongAdder());
        }

        public long get(String... labelValues) {
            LongAdder adder = series.get(List.of(labelValues));
            return adder == null ? 0 : adder.sum();
        }

        public long total() {
            return series.values().stream().mapToLong(LongAdder::sum).sum();
        }

        @Override
        public void render(StringBuilder out) {
            header(out, name, help, "counter");
            List<Map.Entry<List<String>, LongAdder>> entries = new ArrayList<>(series.entrySet());
            entries.sort(Map.Entry.comparingByKey((a, b) -> String.join("\0", a).compareTo(String.join("\0", b))));
            for (Map.Entry<List<String>, LongAdder> entry : entries) {
                Map<String, String> labels = new java.util.LinkedHashMap<>();
                for (int i = 0; i < labelNames.length; i++) {
                    labels.put(labelNames[i], entry.getKey().get(i));
                }
                line(out, name, labels, entry.getValue().sum());
            }
        }
    }

    private record Gauge(String name, String help, DoubleSupplier value) implements Family {
        @Override
        public void render(StringBuilder out) {
            header(out, name, help, "gauge");
            line(out, name, Map.of(), value.getAsDouble());
        }
    }
}
