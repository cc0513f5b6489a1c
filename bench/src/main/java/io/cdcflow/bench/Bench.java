package io.cdcflow.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/run [changes]}: every stage measured, side by side, on this machine, into bench/results/.
 * Never part of the tests: speed is measured here, not asserted.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        long changes = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path out = Path.of(args.length > 1 ? args[1] : "bench/results");
        String machine = "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB max heap for the bench JVM, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + "; PostgreSQL, the Kafka broker and ClickHouse run on the same machine. Date: " + LocalDate.now()
                + ". Workload: " + changes + " row changes. Each stage starts on servers cleared of what the stages before it "
                + "left (their topics, ClickHouse and PostgreSQL databases, idle replication slots, state folders): a stage "
                + "measured while the broker's log cleaner compacts, and ClickHouse merges, an earlier stage's data measures "
                + "that stage too (in one run, our join came to 0.71 of Flink SQL measured first, with the broker at 17 CPU s "
                + "instead of 9, and 1.02 in a run of its own).";
        // -Dbench.stages=decode,snapshot,join,flink,fanout,hotrows,updates,backfill,hotkeys,writer,freshness (default: all) runs a subset, for profiling one stage
        java.util.Set<String> stages = java.util.Set.of(System.getProperty("bench.stages", "decode,snapshot,join,flink,fanout,hotrows,updates,backfill,hotkeys,writer,freshness").split(","));
        List<Measurement> measurements = new ArrayList<>();
        List<FreshnessBench.Point> freshness = List.of();
        try (BenchEnv env = new BenchEnv()) {
            if (stages.contains("decode")) {
                measurements.addAll(new DecodingBench(env, changes).run());
            }
            if (stages.contains("snapshot")) {
                env.clearEarlierStages();
                measurements.addAll(new SnapshotBench(env, changes).run());
            }
            if (stages.contains("join") || stages.contains("flink")) {
                env.clearEarlierStages();
                JoinWorkload workload = new JoinWorkload("sb", (int) Math.min(changes / 5, 200_000));
                StreamsBench streams = new StreamsBench(env, workload);
                streams.prepare();
                // Each system first runs once on a tenth of the rows, unmeasured: the measured run then sees compiled
                // code, as a deployable that has been running for a while would (a cold first run was a quarter slower)
                // (-Dbench.warmup=0.5 warms up on half the rows instead, for experiments on the JIT's share)
                double warmUpShare = Double.parseDouble(System.getProperty("bench.warmup", "0.1"));
                JoinWorkload warmUp = new JoinWorkload("sbw", Math.max(1_000, (int) (workload.orders * warmUpShare)));
                StreamsBench warmStreams = new StreamsBench(env, warmUp);
                warmStreams.prepare();
                if (stages.contains("join")) {
                    System.out.println("[bench] join warm-up (not measured):");
                    // both kinds of store and both kinds of join: the measured runs' code paths are compiled alike
                    warmStreams.run(java.util.Set.of("eos", "fkmemory"));
                    measurements.addAll(streams.run(java.util.Set.of(System.getProperty("bench.join.runs", "eos,one,alo,two,fk,memory,fkmemory,kill").split(","))));
                }
                if (stages.contains("flink")) {
                    System.out.println("[bench] Flink SQL warm-up (not measured):");
                    new FlinkSqlBench(env, warmUp).run();
                    measurements.addAll(new FlinkSqlBench(env, workload).run());
                }
            }
            if (stages.contains("fanout")) {
                env.clearEarlierStages();
                // dimension changes that each update many facts: one foreign-key response per fact (KAFKA-16817)
                measurements.addAll(afterTheJoin(env, "fan-out", JoinWorkload::forFanOut, "sf", (int) Math.min(changes / 10, 100_000),
                        java.util.Set.of("eos", "fkmemory"), System.getProperty("bench.fanout.runs", "eos,fk,memory")));
            }
            if (stages.contains("hotrows")) {
                env.clearEarlierStages();
                // updates of dimension columns no fact reads (a last_seen_at): work for them should be none
                measurements.addAll(afterTheJoin(env, "hot-row", JoinWorkload::forHotRows, "sh", (int) Math.min(changes / 10, 100_000),
                        java.util.Set.of("eos"), System.getProperty("bench.hotrows.runs", "eos")));
            }
            if (stages.contains("updates")) {
                env.clearEarlierStages();
                // changes of the fact rows that keep their foreign keys: a join through Kafka needs no trip for them
                // (the join stage's size: orders over STREAMS_LOCAL_TABLE_MAX_ROWS, so the join to them goes through Kafka)
                measurements.addAll(afterTheJoin(env, "item-update", JoinWorkload::forItemUpdates, "su", (int) Math.min(changes / 5, 200_000),
                        java.util.Set.of("eos"), System.getProperty("bench.updates.runs", "eos")));
            }
            if (stages.contains("backfill")) {
                env.clearEarlierStages();
                measurements.addAll(new BackfillBench(env, changes).run());
            }
            if (stages.contains("hotkeys")) {
                env.clearEarlierStages();
                // -Dbench.hotkeys.transactions: pgbench-like transactions, each updating a branch and a teller row
                measurements.addAll(new HotKeyMirrorBench(env, Integer.getInteger("bench.hotkeys.transactions",
                        (int) Math.min(changes / 10, 100_000))).run());
            }
            if (stages.contains("writer")) {
                env.clearEarlierStages();
                measurements.addAll(new WriterBench(env, Integer.getInteger("bench.writer.rows", (int) Math.min(changes / 2, 500_000))).run());
            }
            if (stages.contains("freshness")) {
                env.clearEarlierStages();
                // -Dbench.freshness.loads=20000,30000 offers other loads, for experiments
                int[] loads = java.util.Arrays.stream(System.getProperty("bench.freshness.loads", "500,2000,5000,10000,15000,20000").split(","))
                        .mapToInt(Integer::parseInt).toArray();
                freshness = new FreshnessBench(env, loads, Duration.ofSeconds(20)).run();
            }
        }
        String findings = System.getProperty("bench.findings", "See the tables above; analysis is in bench/README.md.");
        Report.write(out, "report.md", Report.markdown(machine, measurements, freshness, findings));
        Report.throughputPlot(measurements, out.resolve("throughput.png"));
        Report.freshnessPlot(freshness, out.resolve("freshness.png"));
        System.out.println("[bench] report: " + out.resolve("report.md").toAbsolutePath());
        System.exit(0);
    }

    /**
     * A stage timed after the join (fan-out, hot rows): its topics filled, each system warmed up on a tenth of the rows
     * in topics of its own (what is timed included), then ours ({@code runs}) and Flink SQL measured.
     *
     * @param workloads a workload for a topic prefix and a number of orders
     */
    private static List<Measurement> afterTheJoin(BenchEnv env, String stage, java.util.function.BiFunction<String, Integer, JoinWorkload> workloads,
                                                  String prefix, int orders, java.util.Set<String> warmUpRuns, String runs) throws Exception {
        JoinWorkload workload = workloads.apply(prefix, orders);
        StreamsBench streams = new StreamsBench(env, workload);
        streams.prepare();
        JoinWorkload warm = workloads.apply(prefix + "w", Math.max(1_000, orders / 10));
        StreamsBench warmStreams = new StreamsBench(env, warm);
        warmStreams.prepare();
        System.out.println("[bench] " + stage + " warm-up (not measured):");
        warmStreams.run(warmUpRuns);
        new FlinkSqlBench(env, warm).run();
        List<Measurement> results = new ArrayList<>(streams.run(java.util.Set.of(runs.split(","))));
        results.addAll(new FlinkSqlBench(env, workload).run());
        return results;
    }
}
