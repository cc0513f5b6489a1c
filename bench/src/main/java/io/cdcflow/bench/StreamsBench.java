package io.cdcflow.bench;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.StreamsApp;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.testsupport.FactsFixtures;
import io.cdcflow.testsupport.JarProcess;
import io.cdcflow.testsupport.KafkaEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The join stage: change events per second through the streams-app's topology for the two facts of
 * {@link JoinWorkload}, from pre-filled topics, with one instance (under each processing guarantee) and with two.
 * Start-up (until the first fact is out) is reported apart from processing (first fact until every fact is complete).
 */
final class StreamsBench {
    private final BenchEnv env;
    private final JoinWorkload workload;

    StreamsBench(BenchEnv env, JoinWorkload workload) {
        this.env = env;
        this.workload = workload;
    }

    /** Fills the workload's topics; {@link FlinkSqlBench} reads the same ones. */
    void prepare() throws Exception {
        workload.fill(env.kafka());
        // as the wal-producer publishes them: with PostgreSQL's estimate of each table's rows
        Map<String, Long> rows = Map.of("customers", (long) workload.customers, "products", (long) workload.products,
                "orders", (long) workload.orders, "order_items", (long) workload.items);
        FactsFixtures.publishSchemas(env.kafka(), workload.prefix + "._schemas", DemoTables.schemas().entrySet().stream()
                .map(e -> e.getValue().withEstimatedRows(rows.get(e.getKey()))).toList());
    }

    /**
     * @param wanted the runs to make: {@code eos}, {@code alo}, {@code two} (the defaults: small tables joined inside each
     *               task), {@code fk} (every join through Kafka), {@code memory} (state in the heap), {@code fkmemory};
     *               {@code kill}: the jar stopped mid-load, cleanly and by SIGKILL, and timed to RUNNING again
     */
    List<Measurement> run(java.util.Set<String> wanted) throws Exception {
        KafkaEndpoint kafka = env.kafka();
        List<Measurement> results = new ArrayList<>();
        /** @param settings streams-app settings beyond the defaults, and how the label says them */
        record Run(String name, String guarantee, int instances, Map<String, String> settings, String says) {
        }
        Map<String, String> foreignKeys = Map.of("STREAMS_LOCAL_TABLES", "none");
        Map<String, String> memory = Map.of("STREAMS_STATE_STORES", "memory");
        Map<String, String> both = new java.util.TreeMap<>(foreignKeys);
        both.putAll(memory);
        // -Dbench.join.runs=eos,alo,... picks runs (Bench); -Dbench.join.env=KAFKA_X=1;KAFKA_Y=2 adds settings, for experiments
        for (Run run : List.of(new Run("eos", "exactly_once_v2", 1, Map.of(), ""), new Run("alo", "at_least_once", 1, Map.of(), ""),
                new Run("one", "exactly_once_v2", 1, Map.of("STREAMS_NUM_THREADS", "1"), ", one stream thread"),
                new Run("two", "exactly_once_v2", 2, Map.of(), ""), new Run("fk", "exactly_once_v2", 1, foreignKeys, ", foreign-key joins only"),
                new Run("memory", "exactly_once_v2", 1, memory, ", state in memory"),
                new Run("fkmemory", "exactly_once_v2", 1, both, ", foreign-key joins only, state in memory"))) {
            if (!wanted.contains(run.name())) {
                continue;
            }
            String outputs = workload.prefix + "_" + run.name();
            kafka.createTopics(4, outputs + "_order_fact", outputs + "_order_item_fact");
            long started = System.nanoTime();
            String applicationId = "bench-streams-" + workload.prefix + "-" + run.name();
            boolean inHeap = "memory".equals(run.settings().get("STREAMS_STATE_STORES"));
            long heapBefore = inHeap ? heapAfterCollection() : 0;
            double[] cpuBefore = cpu(applicationId);
            Map<String, Double> threadsBefore = Timing.cpuByThreadAndProcess(List.of());
            List<StreamsApp> apps = new ArrayList<>();
            List<StreamsAppConfig> configs = new ArrayList<>();
            for (int i = 0; i < run.instances(); i++) {
                configs.add(config(kafka, applicationId, run.name(), run.guarantee(), run.settings(), "i" + i));
                StreamsApp app = new StreamsApp(configs.get(i), new Metrics());
                app.start();
                apps.add(app);
            }
            // start-up ends when every instance is RUNNING (topics created, group joined, tasks assigned, state restored)
            java.util.concurrent.atomic.AtomicLong running = new java.util.concurrent.atomic.AtomicLong(-1);
            BenchEnv.run("running-" + run.name(), () -> {
                while (apps.stream().anyMatch(a -> a.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING)) {
                    Thread.sleep(20);
                }
                running.set(System.nanoTime());
            });
            long complete;
            long first;
            java.util.function.Function<String, Measurement> after = null;
            try (JoinWorkload.Progress progress = new JoinWorkload.Progress(kafka, outputs + "_order_fact", outputs + "_order_item_fact")) {
                complete = progress.awaitComplete(workload, Duration.ofMinutes(20));
                first = progress.firstNanos;
                System.out.printf("[bench] fact records out: %,d for %,d facts%n", progress.records, workload.orders + workload.items);
                if (complete >= 0) {
                    after = workload.timeAfter(kafka, progress, " " + run.name());
                }
            }
            double[] cpuAfter = cpu(applicationId);
            // /proc's thread names are cut at 15 characters: the stream threads are "bench-streams-s"
            System.out.println("[bench] CPU seconds by thread: " + Timing.cpuSpent(threadsBefore, Timing.cpuByThreadAndProcess(List.of())));
            // the checker's maps are gone with it: what the heap holds beyond the start is the application's state
            String heap = "";
            if (inHeap) {
                heap = String.format(java.util.Locale.ROOT, "the state held %,d MB of heap", (heapAfterCollection() - heapBefore) >> 20);
                System.out.println("[bench] " + heap);
                heap = "; " + heap;
            }
            apps.forEach(StreamsApp::close);
            String restart = workload.after == JoinWorkload.After.NOTHING && run.instances() == 1 && (run.name().equals("eos") || run.name().equals("memory"))
                    ? restart(configs.get(0)) : "";
            printInternalTopics(kafka, applicationId + "-", workload.events());
            System.out.printf("[bench] CPU seconds during the run: stream threads %.1f, this JVM %.1f, Kafka broker %.1f%n",
                    cpuAfter[0] - cpuBefore[0], cpuAfter[1] - cpuBefore[1], cpuAfter[2] - cpuBefore[2]);
            if (complete < 0) {
                continue;
            }
            if (workload.after != JoinWorkload.After.NOTHING) {
                if (after != null) {
                    results.add(after.apply("streams-app, " + run.guarantee() + run.says()
                            + (run.name().equals("eos") ? " (ours)" : " (ours, variant)")));
                }
                continue;
            }
            double startup = (running.get() - started) / 1e9;
            double processing = (complete - running.get()) / 1e9;
            double firstFact = (first - started) / 1e9;
            String label = "streams-app, " + run.instances() + " instance" + (run.instances() > 1 ? "s" : "") + ", " + run.guarantee()
                    + run.says() + " (ours"
                    + (run.name().equals("eos") ? ")" : ", variant)");
            System.out.printf("[bench] %s: start-up %.1f s, first fact at %.1f s, %,.0f events/s over %.1f s%n", label, startup, firstFact,
                    workload.events() / processing, processing);
            results.add(new Measurement("join", label, workload.events(), processing, -1, String.format(java.util.Locale.ROOT,
                    "the two facts from pre-filled topics%s; RUNNING to every fact complete; start-up (to RUNNING) %.1f s, first fact at %.1f s%s",
                    run.settings().entrySet().stream().map(e -> ", " + e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining()),
                    startup, firstFact, restart + heap)));
        }
        if (wanted.contains("kill") && workload.after == JoinWorkload.After.NOTHING) {
            kafka.createTopics(4, workload.prefix + "_kill_order_fact", workload.prefix + "_kill_order_item_fact");
            Map<String, String> vars = vars(kafka, "bench-streams-" + workload.prefix + "-kill", "kill", "exactly_once_v2", Map.of(), "i0",
                    BenchEnv.scratch("bench-streams-kill").toString());
            killAndRestart(kafka, vars, List.of(workload.prefix + "_kill_order_fact", workload.prefix + "_kill_order_item_fact"),
                    workload.events());
        }
        return results;
    }

    /** The heap in use after a full collection, in bytes. */
    private static long heapAfterCollection() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Starts one instance again on the state the run left (its state directory and changelogs) and times it to
     * RUNNING: with RocksDB the local state is there already, with the state in the heap every store is rebuilt. With
     * RocksDB a second restart follows with the state directory removed (a new instance, a lost disk): every store
     * rebuilt from its changelog or its topic, the restoration a crash without local state costs.
     */
    private static String restart(StreamsAppConfig config) throws Exception {
        double onState = timedRestart(config);
        System.out.printf("[bench] restart on the run's state (%s): RUNNING after %.1f s%n", config.stores().name().toLowerCase(java.util.Locale.ROOT), onState);
        String said = String.format(java.util.Locale.ROOT, "; a restart on the state it left: RUNNING after %.1f s", onState);
        if (config.stores() != StreamsAppConfig.Stores.ROCKSDB) {
            return said;
        }
        org.apache.kafka.common.utils.Utils.delete(new java.io.File(config.stateDir()));
        double rebuilt = timedRestart(config);
        System.out.printf("[bench] restart with the state directory removed: every store restored, RUNNING after %.1f s%n", rebuilt);
        return said + String.format(java.util.Locale.ROOT, ", with no local state (every store restored from Kafka) %.1f s", rebuilt);
    }

    /** Seconds from a new instance's start to RUNNING (each of its tasks' stores restored). */
    private static double timedRestart(StreamsAppConfig config) throws Exception {
        long started = System.nanoTime();
        try (StreamsApp app = new StreamsApp(config, new Metrics())) {
            app.start();
            BenchEnv.await("the restarted instance RUNNING", Duration.ofMinutes(10),
                    () -> app.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
            return (System.nanoTime() - started) / 1e9;
        }
    }

    /**
     * The streams-app jar on the same topics under an application of its own, stopped in the middle of the load
     * twice, cleanly and then by SIGKILL (each after {@link #STOP_SHARE} of the load's facts more, so the load is not
     * done before the SIGKILL however fast the jar runs: a restart after it would have no new fact to time), and timed
     * from each restart to RUNNING (its {@code /ready}, the JVM's start included) and to its first new fact (RUNNING
     * comes before the stores are restored; processing resumes after): under exactly-once before KIP-892, a crash marked every task corrupted and rebuilt its stores from the
     * changelogs before processing went on.
     */
    private static void killAndRestart(KafkaEndpoint kafka, Map<String, String> vars, List<String> outputs, long events) throws Exception {
        java.nio.file.Path jar = java.nio.file.Path.of("streams-app", "target", "streams-app.jar");
        if (!java.nio.file.Files.exists(jar)) {
            System.out.println("[bench] " + jar + " is missing (mvn package): no restart after a SIGKILL timed");
            return;
        }
        int port = io.cdcflow.testsupport.Ports.free();
        Map<String, String> env = new HashMap<>(vars);
        env.put("STREAMS_HTTP_ADDR", "127.0.0.1:" + port);
        env.put("STREAMS_ADVERTISED_ADDR", "127.0.0.1:" + port);
        java.nio.file.Path log = BenchEnv.scratch("bench-streams-kill").resolve("streams-app.log");
        Properties props = kafka.consumerProperties();
        props.put("isolation.level", "read_committed");
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> facts = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                props, new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            outputs.forEach(t -> facts.partitionsFor(t).forEach(p -> partitions.add(new org.apache.kafka.common.TopicPartition(t, p.partition()))));
            facts.assign(partitions);
            Process first = JarProcess.start(jar, env, log);
            awaitReady(first, port, log);
            long share = (long) (events * STOP_SHARE);
            awaitFacts(facts, share, first, log, "before its clean stop");
            first.destroy(); // a clean stop: each task's state is committed and closed
            first.waitFor();
            Started clean = timedStart(jar, env, log, port, facts);
            awaitFacts(facts, share, clean.process(), log, "before its SIGKILL");
            clean.process().destroyForcibly().waitFor(); // SIGKILL mid-load: no close, writes of an open transaction in the stores
            Started killed = timedStart(jar, env, log, port, facts);
            killed.process().destroy();
            killed.process().waitFor();
            String text = java.nio.file.Files.readString(log);
            String corrupted = text.contains("corrupted") ? "; tasks marked corrupted" : "";
            System.out.printf("[bench] the jar stopped twice, each after %,d more facts (of about %,d): after a clean stop RUNNING in %.1f s "
                    + "and the first new fact in %.1f s; after a SIGKILL %.1f s and %.1f s%s%n", share, events, clean.ready(), clean.firstFact(),
                    killed.ready(), killed.firstFact(), corrupted);
        }
    }

    /** A started jar, and the seconds from its start to RUNNING and to its first fact. */
    private record Started(Process process, double ready, double firstFact) {
    }

    /** Starts the jar and times it to RUNNING and to its first fact after the end {@code facts} is at now. */
    private static Started timedStart(java.nio.file.Path jar, Map<String, String> env, java.nio.file.Path log, int port,
                                       org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> facts) throws Exception {
        facts.seekToEnd(facts.assignment());
        facts.assignment().forEach(facts::position);
        long started = System.nanoTime();
        Process running = JarProcess.start(jar, env, log);
        awaitReady(running, port, log);
        double ready = (System.nanoTime() - started) / 1e9;
        awaitFacts(facts, 1, running, log, "after its restart");
        return new Started(running, ready, (System.nanoTime() - started) / 1e9);
    }

    /** The share of the load's events whose facts the jar sends before each stop of {@link #killAndRestart}. */
    private static final double STOP_SHARE = Double.parseDouble(System.getProperty("bench.kill.share", "0.25"));

    /** Reads {@code facts} until {@code count} more records came, while {@code process} runs, for at most ten minutes. */
    private static void awaitFacts(org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> facts, long count, Process process,
                                   java.nio.file.Path log, String when) {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long seen = 0;
        while ((seen += facts.poll(Duration.ofMillis(50)).count()) < count) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("the streams-app jar sent " + seen + " of the " + count + " facts awaited " + when
                        + "; log " + log);
            }
        }
    }

    private static void awaitReady(Process process, int port, java.nio.file.Path log) {
        BenchEnv.await("the streams-app jar ready (log " + log + ")", Duration.ofMinutes(10), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the streams-app jar exited; log " + log);
            }
            return Jars.ready(port);
        });
    }

    /**
     * How many records and bytes Kafka Streams wrote to each of the run's internal topics (changelogs, join topics),
     * per input event, and the bytes of the source tables' changelogs per source row (what a row's state costs); returns
     * the records per input event, all topics together. The backfill prints its own the same way.
     */
    static double printInternalTopics(KafkaEndpoint kafka, String prefix, long events) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).sorted().toList();
            Map<String, Long> records = new java.util.TreeMap<>();
            endOffsets(admin, topics).forEach((topic, n) -> records.put(topic.substring(prefix.length()), n));
            Map<String, Long> bytes = new java.util.TreeMap<>();
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(org.apache.kafka.common.Node::id).toList();
            admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
                    dir.replicaInfos().forEach((tp, info) -> {
                        if (tp.topic().startsWith(prefix)) {
                            bytes.merge(tp.topic().substring(prefix.length()), info.size(), Long::sum);
                        }
                    })));
            long total = records.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("[bench] internal topics: %,d records (offsets, transaction markers included), %.2f per input event%n",
                    total, total / (double) events);
            records.forEach((topic, n) -> System.out.printf("[bench]   %,11d %6.2f/event %,13d bytes %s%n", n, n / (double) events,
                    bytes.getOrDefault(topic, 0L), topic));
            long state = bytes.entrySet().stream().filter(e -> e.getKey().endsWith("-table-changelog")).mapToLong(Map.Entry::getValue).sum();
            System.out.printf("[bench] source tables' changelogs: %,d bytes, %.0f per source row%n", state, state / (double) events);
            return total / (double) events;
        }
    }

    /**
     * Records in each fact's topic per row of its view (offsets, transaction markers included): 1.00 is each fact
     * sent once; more is a fact sent again before its joined rows were all there.
     */
    static String printFactTopics(KafkaEndpoint kafka, Map<String, Long> rowsByFact) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            List<String> perRow = new java.util.ArrayList<>();
            endOffsets(admin, rowsByFact.keySet()).forEach((topic, n) -> {
                double each = n / (double) rowsByFact.get(topic);
                System.out.printf("[bench] fact topic %s: %,d records, %.2f per row of the view%n", topic, n, each);
                perRow.add(String.format(java.util.Locale.ROOT, "%s %.2f", topic, each));
            });
            return String.join(", ", perRow);
        }
    }

    /** The end offsets of each of these topics, its partitions' summed: the records written to it, markers included. */
    private static Map<String, Long> endOffsets(org.apache.kafka.clients.admin.Admin admin, java.util.Collection<String> topics) throws Exception {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((topic, d) -> d.partitions().forEach(p ->
                ends.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest())));
        Map<String, Long> records = new java.util.TreeMap<>();
        admin.listOffsets(ends).all().get().forEach((tp, info) -> records.merge(tp.topic(), info.offset(), Long::sum));
        return records;
    }

    /** CPU seconds so far: of this run's stream threads, of this JVM, and of the Kafka broker's process. */
    private static double[] cpu(String applicationId) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double streams = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(applicationId + "-") && info.getThreadName().contains("StreamThread")) {
                streams += threads.getThreadCpuTime(info.getThreadId()) / 1e9;
            }
        }
        double broker = Timing.processCpu(List.of("kafka.Kafka")).getOrDefault("kafka.Kafka", 0.0);
        return new double[] {streams, Timing.processCpuSeconds(), broker};
    }

    private StreamsAppConfig config(KafkaEndpoint kafka, String applicationId, String run, String guarantee,
                                    Map<String, String> settings, String instance) throws Exception {
        return StreamsAppConfig.from(new Env(vars(kafka, applicationId, run, guarantee, settings, instance,
                BenchEnv.scratch("bench-streams").toString())));
    }

    /** The settings of one instance of a run, as environment variables. */
    private Map<String, String> vars(KafkaEndpoint kafka, String applicationId, String run, String guarantee,
                                     Map<String, String> settings, String instance, String stateDir) {
        Map<String, String> vars = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "STREAMS_APPLICATION_ID", applicationId, "STREAMS_INPUT_TOPIC_PREFIX", workload.prefix,
                "STREAMS_FACTS_FILE", FactsFixtures.prefixed(JoinWorkload.FACTS_SQL, workload.prefix + "_" + run).toString(),
                "STREAMS_HTTP_ADDR", "127.0.0.1:0", "STREAMS_INSTANCE_ID", applicationId + "-" + instance,
                "STREAMS_PROCESSING_GUARANTEE", guarantee));
        vars.put("STREAMS_STATE_DIR", stateDir);
        vars.putAll(settings);
        vars.putAll(BenchEnv.settings("bench.join.env"));
        return vars;
    }
}
