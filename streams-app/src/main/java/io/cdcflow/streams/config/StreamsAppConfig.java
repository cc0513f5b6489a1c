package io.cdcflow.streams.config;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.HostPort;
import io.cdcflow.common.config.Setting;
import io.cdcflow.common.config.Settings;
import io.cdcflow.common.ops.HttpAuth;
import io.cdcflow.common.ops.HttpTls;
import java.util.List;
import java.util.Map;

/**
 * Everything the streams-app reads from its environment. The facts come from a file of PostgreSQL views
 * ({@code STREAMS_FACTS_FILE}); without one, the default facts of the seed's TypeORM schema.
 *
 * @param factsFile        the facts file's path, or null for the default facts
 * @param instanceId       the static group member id ({@code group.instance.id}): a restarted instance rejoins as itself,
 *                         with no rebalance and no wait for its old session to expire; empty for dynamic membership
 * @param httpAuth         who may call the endpoints that return data (STREAMS_HTTP_TOKEN, STREAMS_HTTP_AUTH)
 * @param httpTls          HTTPS for the endpoints, or null (STREAMS_HTTP_TLS_CERT, STREAMS_HTTP_TLS_KEY)
 * @param schemaTopic      where the source tables' schemas are read and the outputs' schemas written
 * @param snapshotStateTopic where the wal-producer records each table's snapshot bounds ({@code SnapshotBounds}); null:
 *                         none read, no fact held back
 * @param localTables      tables joined inside each task from a whole copy of them (small tables: dimensions), not
 *                         through Kafka (empty: none, {@code STREAMS_LOCAL_TABLES=none}); null to choose by size
 * @param localTableMaxRows with {@code localTables} null, the tables of at most this many rows are joined inside
 *                         each task (PostgreSQL's estimate, else the records in the table's topic)
 * @param stores           where the state stores keep their data: RocksDB on disk (the default) or the heap
 * @param singleInputTopic when set, every table's events come from this one topic (the seed's cdc_events) and are
 *                         split by {@code _metadata.table}
 * @param factsSnapshotTopic where a wal-producer's facts export sends the views' rows PostgreSQL computed in its
 *                         snapshot ({@code FactsExport}), passed on to the facts' topics; null: none read
 */
public record StreamsAppConfig(
        String applicationId,
        String bootstrapServers,
        Map<String, String> kafkaClient,
        String stateDir,
        HostPort httpAddress,
        String advertisedAddress,
        String instanceId,
        HttpAuth httpAuth,
        HttpTls httpTls,
        String processingGuarantee,
        int standbyReplicas,
        int numThreads,
        String inputPrefix,
        String schema,
        String singleInputTopic,
        String factsFile,
        String deadLetterTopic,
        String schemaTopic,
        String snapshotStateTopic,
        List<String> localTables,
        long localTableMaxRows,
        Stores stores,
        String factsSnapshotTopic) {

    static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "Kafka")
            .or("POSTGRES_CDC_BROKER_ADDRESS");
    static final Setting<String> APPLICATION_ID = Setting.text("STREAMS_APPLICATION_ID", "cdcflow-streams",
            "instances with the same id share the work");
    static final Setting<String> STATE_DIR = Setting.text("STREAMS_STATE_DIR", System.getProperty("java.io.tmpdir") + "/cdcflow-streams",
            "local state, kept across restarts (a restart on it is RUNNING in seconds); without it (a new instance, a lost disk) "
                    + "every store is restored from Kafka before processing resumes, followed in the log and `streams_restore_*` "
                    + "(bench/README.md: 13.7 s for the bench backfill's 1,000,000 rows): put it on a disk that survives the process").shownDefault("`<tmp>/cdcflow-streams`");
    static final Setting<Stores> STATE_STORES = Setting.choice("STREAMS_STATE_STORES", Stores.ROCKSDB, Stores.class,
            "where the state stores (source tables, join subscriptions and results, versions, local copies) keep their rows: "
                    + "`rocksdb` on local disk, kept across restarts; or `memory`, in the heap: 1.4 to 1.6 times the events/s of "
                    + "the join stage with every join through Kafka, 1.7 to 1.9 times with the small tables joined inside each "
                    + "task (bench/README.md, measured before that became the default), but the heap must hold every store and "
                    + "each start rebuilds them from the changelogs, which takes longer as they grow (the join bench's 3.2 million "
                    + "changelog records: a restart RUNNING after 4.0 s, against 1.9 s with RocksDB's local state). Measured with "
                    + "the default facts: about 1.1 KB of heap per source row (674 to 693 MB for the join bench's 606,000 rows, "
                    + "with or without local joins); 1,000,000 rows did not fit a 1 GB heap and did fit 3 GB; give the JVM room "
                    + "(`-Xmx`, or the container's memory: the images take 75 % of it) or stay with `rocksdb`. Both write the same "
                    + "changelogs, so the setting can change between starts without a reset; a start with `memory` removes the "
                    + "application's RocksDB files from `STREAMS_STATE_DIR`. A heap still 90 % full after a garbage collection is "
                    + "logged as an error naming these settings and counted in `streams_heap_full_total` (a JVM short of heap "
                    + "collects without end before it fails; the images and `./cdcflow up` exit on `OutOfMemoryError` rather "
                    + "than run on half broken)");
    static final Setting<Guarantee> PROCESSING_GUARANTEE = Setting.choice("STREAMS_PROCESSING_GUARANTEE", Guarantee.EXACTLY_ONCE_V2,
            Guarantee.class, "or `at_least_once`: faster, but after a crash a stale fact row can win until its key changes again "
                    + "([why](topology-docs/TOPOLOGY.md#why-the-newest-state-always-wins-in-clickhouse)); and every change is passed "
                    + "on, so an update of a column no fact reads costs a fact record per fact row it touches, where under "
                    + "exactly-once it costs none");
    static final Setting<String> INSTANCE_ID = Setting.text("STREAMS_INSTANCE_ID", null,
            "static group membership: a restarted instance rejoins as itself, without a rebalance or a wait for its old "
                    + "session; distinct per instance; `none` for dynamic membership").shownDefault("`<hostname>-<HTTP port>`");
    static final Setting<Integer> STANDBY_REPLICAS = Setting.integer("STREAMS_STANDBY_REPLICAS", 0, 0, 10,
            "copies of each task's state kept warm on other instances (`num.standby.replicas`)");
    static final Setting<Integer> NUM_THREADS = Setting.integer("STREAMS_NUM_THREADS",
            Math.min(64, Runtime.getRuntime().availableProcessors()), 1, 64,
            "stream threads of this instance: each works on its share of the tasks (one per input partition), so "
                    + "threads beyond the tasks idle")
            .shownDefault("the cores the JVM sees");
    static final Setting<String> FACTS_FILE = Setting.text("STREAMS_FACTS_FILE", null,
            "the facts: a file of `CREATE VIEW` statements ([Your own facts](#your-own-facts)); each view's rows go to a topic "
                    + "named after it").shownDefault("the built-in [`typeorm.sql`](streams-app/facts/typeorm.sql)");
    static final Setting<HostPort> HTTP_ADDR = Setting.hostPort("STREAMS_HTTP_ADDR", "0.0.0.0:8081",
            "`/ping`, `/ready` (200 only when RUNNING), `/metrics`, `/topology`, `/facts/{fact}/{key}`");
    static final Setting<String> ADVERTISED_ADDR = Setting.text("STREAMS_ADVERTISED_ADDR", null,
            "host:port other instances use to reach this one for `/facts/{fact}/{key}`").shownDefault("`localhost:<port>`");
    static final Setting<String> HTTP_TOKEN = Setting.text("STREAMS_HTTP_TOKEN", null,
            "`/facts/*` and `/topology` need `Authorization: Bearer <token>` (compared in constant time); without a token they "
                    + "are refused. `/ping`, `/ready`, `/metrics` are always open and carry no row data");
    static final Setting<HttpAuth.Mode> HTTP_AUTH = Setting.choice("STREAMS_HTTP_AUTH", HttpAuth.Mode.TOKEN, HttpAuth.Mode.class,
            "`none` serves `/facts/*` and `/topology` to anyone: only where nothing untrusted reaches the port");
    static final Setting<String> HTTP_TLS_CERT = Setting.text("STREAMS_HTTP_TLS_CERT", null,
            "a PEM certificate chain: HTTPS only, as for the wal-producer; forwarded `/facts` requests then go over HTTPS too, "
                    + "trusting that certificate (give every instance a certificate for its `STREAMS_ADVERTISED_ADDR` from one chain)");
    static final Setting<String> HTTP_TLS_KEY = Setting.text("STREAMS_HTTP_TLS_KEY", null,
            "its PEM PKCS#8 key (`BEGIN PRIVATE KEY`)");
    static final Setting<List<String>> LOCAL_TABLES = Setting.list("STREAMS_LOCAL_TABLES", null,
            "which joined tables are joined inside each task instead of through Kafka. Unset: each fact, when its state is first "
                    + "built, joins the tables of at most `STREAMS_LOCAL_TABLE_MAX_ROWS` rows inside each task (PostgreSQL's "
                    + "estimate, which the wal-producer publishes with the schema; else the records in the table's topic) and the "
                    + "larger ones through Kafka; the start logs the choice per fact (`fact order_item_fact: joined inside each "
                    + "task: products (p); through Kafka: orders (o)`). A list (`customers,products`): those tables; `none`: every "
                    + "join through Kafka (foreign-key joins). A table joined inside each task is copied whole into every task's "
                    + "state (its changes go to every partition), with an index of the fact rows pointing at each of its rows: a "
                    + "join costs no subscription and response records, and a change of its row re-emits its fact rows from the "
                    + "index. Only joins no other join goes through can be; a later join's parent goes through Kafka. A fact's "
                    + "state keeps the choice it was built with: unset, later starts keep it (a table that grew stays copied; a "
                    + "reset chooses again); a list that differs from the state stops the start, saying to set it back or reset "
                    + "the application").shownDefault("chosen by size");
    static final Setting<Long> LOCAL_TABLE_MAX_ROWS = Setting.longValue("STREAMS_LOCAL_TABLE_MAX_ROWS", 100_000, 0, Long.MAX_VALUE,
            "with `STREAMS_LOCAL_TABLES` unset, the largest table joined inside each task; each task holds a copy, so the disk "
                    + "(or heap) it takes is rows × source partitions");
    static final Setting<String> INPUT_TOPIC_PREFIX = Setting.text("STREAMS_INPUT_TOPIC_PREFIX", "cdc",
            "input topics are `<prefix>.<schema>.<table>`").or("POSTGRES_CDC_TOPIC_PREFIX");
    public static final Setting<String> INPUT_SCHEMA = Setting.text("STREAMS_INPUT_SCHEMA", "public",
            "the source tables' schema: input topics `<prefix>.<schema>.<table>`; the schema `--check` reads").or("POSTGRES_CDC_SCHEMA");
    static final Setting<String> INPUT_TOPIC = Setting.text("STREAMS_INPUT_TOPIC", null,
            "single-topic input (split by `_metadata.table`)");
    static final Setting<String> DEAD_LETTER_TOPIC = Setting.text("STREAMS_DEAD_LETTER_TOPIC", null,
            "records that cannot be processed").shownDefault("`<prefix>._streams_dead_letter`");
    static final Setting<String> SCHEMA_TOPIC = Setting.text("STREAMS_SCHEMA_TOPIC", null,
            "where source schemas are read and the outputs' derived schemas written").shownDefault("`<prefix>._schemas`");
    static final Setting<String> SNAPSHOT_STATE_TOPIC = Setting.text("STREAMS_SNAPSHOT_STATE_TOPIC", null,
            "the wal-producer's state topic (its `POSTGRES_CDC_STATE_TOPIC`), where it records where each table's snapshot "
                    + "starts and ends in its topic: while a joined table's snapshot may still bring the row a fact points at, the "
                    + "fact waits for it instead of going out without it and again with it, and the facts still without their row "
                    + "go out in one scan once the snapshot is read, so a backfill sends each fact once; `none` reads nothing and "
                    + "holds nothing back").shownDefault("`<prefix>._wal_producer_state`");
    static final Setting<String> FACTS_SNAPSHOT_TOPIC = Setting.text("STREAMS_FACTS_SNAPSHOT_TOPIC", null,
            "the wal-producer's facts' snapshot topic (its `POSTGRES_CDC_FACTS_TOPIC`): with `POSTGRES_CDC_FACTS_FILE` set to "
                    + "this application's facts file, the initial snapshot's facts are the views' rows PostgreSQL computed, passed "
                    + "on to the facts' topics in chunks, and the app only folds the snapshot into its state without sending its "
                    + "facts again (README, [The backfill](#the-backfill)); `none` reads nothing").shownDefault("`<prefix>._facts_snapshot`");
    static final Setting<Map<String, String>> KAFKA = Setting.properties("KAFKA_",
            "any Kafka Streams or Kafka client property (`KAFKA_COMMIT_INTERVAL_MS=500` becomes `commit.interval.ms`). "
                    + "Defaults that differ from Kafka Streams': `commit.interval.ms` 200; `main.consumer.max.partition.fetch.bytes` "
                    + "65536 (the join topics' records are not queued behind a backlog of source records); `max.task.idle.ms` -1 "
                    + "(a task's inputs are processed as they come: the joins converge whatever the order); "
                    + "`producer.compression.type` lz4 (the app's own topics compressed as the wal-producer's are, so a fetch holds "
                    + "as many of a small table's copies as of the source rows they should precede); under exactly_once_v2 "
                    + "`producer.linger.ms` 100 and `producer.batch.size` 131072 (nothing sent is read before its transaction "
                    + "commits, and the commit sends every batch: larger batches, no fact later), under at_least_once "
                    + "`producer.linger.ms` 5; "
                    + "`statestore.cache.max.bytes` 0 (each store update goes on at once: faster when most rows change once, as in "
                    + "a backfill, and no wait for a cache flush at each hop; `KAFKA_STATESTORE_CACHE_MAX_BYTES=10485760` brings "
                    + "the record cache back where single rows change many times a second, to coalesce their updates)")
            .shownDefault("see meaning");

    /** Every setting of the streams-app, in README's order. */
    public static final Settings SETTINGS = new Settings("streams-app", List.of("STREAMS_"), List.of(BOOTSTRAP_SERVERS,
            APPLICATION_ID, STATE_DIR, STATE_STORES, PROCESSING_GUARANTEE, INSTANCE_ID, STANDBY_REPLICAS, NUM_THREADS, FACTS_FILE,
            HTTP_ADDR, ADVERTISED_ADDR, HTTP_TOKEN, HTTP_AUTH, HTTP_TLS_CERT, HTTP_TLS_KEY, LOCAL_TABLES, LOCAL_TABLE_MAX_ROWS,
            INPUT_TOPIC_PREFIX, INPUT_SCHEMA, INPUT_TOPIC, DEAD_LETTER_TOPIC, SCHEMA_TOPIC, SNAPSHOT_STATE_TOPIC, FACTS_SNAPSHOT_TOPIC,
            KAFKA));

    /** Prefixes of the variables that named tables, columns and topics before the facts file did. */
    private static final List<String> REMOVED = List.of("STREAMS_TABLE_", "STREAMS_COLUMN_", "STREAMS_TOPIC_");

    public static StreamsAppConfig from(Env env) {
        for (String removed : REMOVED) {
            if (!env.asProperties(removed).isEmpty()) {
                throw new ConfigException(removed + "* variables are no longer read: declare the facts as PostgreSQL "
                        + "views in a file and set STREAMS_FACTS_FILE (README, 'Your own facts')");
            }
        }
        String prefix = INPUT_TOPIC_PREFIX.from(env);
        String prefixDot = prefix.isEmpty() ? "" : prefix + ".";
        HostPort http = HTTP_ADDR.from(env);
        String instanceId = INSTANCE_ID.from(env);
        return new StreamsAppConfig(
                APPLICATION_ID.from(env),
                BOOTSTRAP_SERVERS.from(env),
                KAFKA.from(env),
                STATE_DIR.from(env),
                http,
                ADVERTISED_ADDR.from(env, "localhost:" + http.port()),
                instanceId == null ? HostPort.localInstanceId(http.port()) : instanceId.equals("none") ? "" : instanceId,
                HttpAuth.fromEnv(env, HTTP_TOKEN, HTTP_AUTH),
                HttpTls.fromEnv(env, HTTP_TLS_CERT, HTTP_TLS_KEY),
                PROCESSING_GUARANTEE.from(env).kafkaName,
                STANDBY_REPLICAS.from(env),
                NUM_THREADS.from(env),
                prefix,
                INPUT_SCHEMA.from(env),
                INPUT_TOPIC.from(env),
                FACTS_FILE.from(env),
                DEAD_LETTER_TOPIC.from(env, prefixDot + "_streams_dead_letter"),
                SCHEMA_TOPIC.from(env, prefixDot + "_schemas"),
                snapshotStateTopic(env, prefixDot + "_wal_producer_state"),
                localTables(env),
                LOCAL_TABLE_MAX_ROWS.from(env),
                STATE_STORES.from(env),
                noneIsNull(FACTS_SNAPSHOT_TOPIC.from(env, prefixDot + "_facts_snapshot")));
    }

    /** STREAMS_SNAPSHOT_STATE_TOPIC: unset, the prefix's; {@code none}, null. */
    private static String snapshotStateTopic(Env env, String prefixed) {
        return noneIsNull(SNAPSHOT_STATE_TOPIC.from(env, prefixed));
    }

    private static String noneIsNull(String topic) {
        return topic.equals("none") ? null : topic;
    }

    /** STREAMS_LOCAL_TABLES: unset, chosen by size (null); {@code none}, no table; else the tables listed. */
    private static List<String> localTables(Env env) {
        List<String> listed = LOCAL_TABLES.from(env);
        if (listed == null) {
            return null;
        }
        return listed.equals(List.of("none")) ? List.of() : listed;
    }

    /**
     * Whether the guarantee is exactly-once: a store and what was sent because of it commit together, so nothing
     * unchanged need be passed on and a store may be restored from the topic it reads.
     */
    public boolean exactlyOnce() {
        return Guarantee.EXACTLY_ONCE_V2.kafkaName.equals(processingGuarantee);
    }

    /** The input topic of a table. */
    public String inputTopic(String table) {
        if (singleInputTopic != null) {
            return singleInputTopic;
        }
        return (inputPrefix.isEmpty() ? "" : inputPrefix + ".") + schema + "." + table;
    }

    /**
     * Where the state stores keep their data. Both kinds are backed by the same changelog topics, so the choice can
     * change between starts without a reset.
     */
    public enum Stores {
        /** On local disk, bounded by disk, kept across restarts (restored only from where the checkpoint left off). */
        ROCKSDB,
        /** In the heap: faster per update, bounded by the heap, restored from the changelogs at every start. */
        MEMORY
    }

    public enum Guarantee {
        AT_LEAST_ONCE("at_least_once"), EXACTLY_ONCE_V2("exactly_once_v2");

        final String kafkaName;

        Guarantee(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }
}
