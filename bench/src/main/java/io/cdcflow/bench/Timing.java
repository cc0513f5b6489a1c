package io.cdcflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Wall and CPU time: of this JVM, or of a command run to completion under bash's {@code time}. */
final class Timing {
    private Timing() {
    }

    /**
     * CPU seconds of each of this JVM's threads by name (numbers dropped, so pools add up) and of the processes named
     * by {@link #processCpu}, keyed {@code thread <name>} and {@code process <name>}, from /proc; empty where /proc is
     * missing.
     */
    static Map<String, Double> cpuByThreadAndProcess(List<String> names) {
        Map<String, Double> cpu = new java.util.TreeMap<>();
        threadCpu(Path.of("/proc/self/task")).forEach((thread, seconds) -> cpu.put("thread " + thread, seconds));
        processCpu(names).forEach((name, seconds) -> cpu.put("process " + name, seconds));
        return cpu;
    }

    /**
     * CPU seconds of another process's threads so far, by name as the kernel keeps it (its first 15 characters: a Kafka
     * Streams thread is its application id's start), numbers dropped so that pools add up; empty where /proc is missing.
     */
    static Map<String, Double> threadCpu(long pid) {
        return threadCpu(Path.of("/proc", Long.toString(pid), "task"));
    }

    private static Map<String, Double> threadCpu(Path tasks) {
        Map<String, Double> cpu = new java.util.TreeMap<>();
        try (var all = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) all::iterator) {
                String[] stat = statFields(task.resolve("stat"));
                if (stat != null) {
                    cpu.merge(stat[0].replaceAll("[0-9]+", "#"), cpuSeconds(stat), Double::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            return cpu;
        }
        return cpu;
    }

    /** HotSpot's C1 and C2 compiler threads as {@link #threadCpu(long)} names them. */
    static final String JIT_THREADS = "C# CompilerThre";

    /** The servers every stage shares, as {@link #processCpu(List)} names them: the broker, ClickHouse, PostgreSQL. */
    static final List<String> SERVERS = List.of("kafka.Kafka", "clickhouse-server", "clickhouse", "postgres");

    /**
     * CPU seconds so far of the processes on this machine whose command line has one of {@code names} as a word (a
     * program's file name, a main class), summed per name; names with no process are left out.
     */
    static Map<String, Double> processCpu(List<String> names) {
        Map<String, Double> cpu = new java.util.TreeMap<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                if (!proc.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                String command;
                try {
                    command = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                } catch (IOException gone) {
                    continue;
                }
                List<String> words = java.util.Arrays.stream(command.split(" ")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList();
                for (String name : names) {
                    // a PostgreSQL backend names itself "postgres: user db ..."
                    if (words.contains(name) || words.contains(name + ":")) {
                        String[] stat = statFields(proc.resolve("stat"));
                        if (stat != null) {
                            cpu.merge(name, withChildren(stat), Double::sum);
                        }
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return cpu;
        }
        return cpu;
    }

    /** CPU seconds so far of the process {@code pid}, or -1 when it cannot be read. */
    static double processCpu(long pid) {
        String[] stat = statFields(Path.of("/proc", Long.toString(pid), "stat"));
        return stat == null ? -1 : cpuSeconds(stat);
    }

    /** utime + stime of a {@link #statFields} line, in seconds (USER_HZ is 100 on Linux). */
    private static double cpuSeconds(String[] stat) {
        return (Long.parseLong(stat[12]) + Long.parseLong(stat[13])) / 100.0;
    }

    /**
     * {@link #cpuSeconds} with the process's children that ended and were waited for (cutime + cstime: PostgreSQL's
     * backends count in the postmaster's once their connection closed). A process's only: a thread's line repeats them.
     */
    private static double withChildren(String[] stat) {
        return cpuSeconds(stat) + (Long.parseLong(stat[14]) + Long.parseLong(stat[15])) / 100.0;
    }

    /** A /proc stat line's fields from the command name on: [0] is the name, [12] and [13] utime and stime. */
    private static String[] statFields(Path stat) {
        try {
            String line = Files.readString(stat);
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            String[] rest = line.substring(close + 2).split(" ");
            String[] fields = new String[rest.length + 1];
            fields[0] = line.substring(open + 1, close);
            System.arraycopy(rest, 0, fields, 1, rest.length);
            return fields;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What {@link #cpuByThreadAndProcess} grew by between two readings, largest first, above 0.01 s. */
    static String cpuSpent(Map<String, Double> before, Map<String, Double> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 0.01)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** Runs {@code command} (a shell line) and returns {wall seconds, user+system CPU seconds}. */
    static double[] command(String command, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench-time", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "TIMEFORMAT='%R %U %S'; { time " + command + " ; } 2> " + out)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout + ": " + command);
            }
            lines = Files.readAllLines(out);
        } finally {
            Files.deleteIfExists(out);
        }
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
        String[] parts = last.split("\\s+");
        if (p.exitValue() != 0 || parts.length != 3) {
            throw new IOException("command failed (" + p.exitValue() + "): " + command + ": " + String.join("\n", lines));
        }
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]) + Double.parseDouble(parts[2])};
    }

    /** The faster of the best run so far (null before the first) and this run, both {wall seconds, CPU seconds}. */
    static double[] faster(double[] best, double[] run) {
        return best == null || run[0] < best[0] ? run : best;
    }

    static List<Double> sorted(List<Long> values) {
        List<Double> sorted = new ArrayList<>();
        values.stream().sorted().forEach(v -> sorted.add(v.doubleValue()));
        return sorted;
    }

    static double percentile(List<Long> values, double p) {
        List<Double> sorted = sorted(values);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
