package io.cdcflow.streams.topology;

import static io.cdcflow.streams.topology.FactStateNames.copyTopic;
import static io.cdcflow.streams.topology.FactStateNames.joinStore;
import static io.cdcflow.streams.topology.FactStateNames.kafkaStreamsJoinName;
import static io.cdcflow.streams.topology.FactStateNames.pairStore;
import static io.cdcflow.streams.topology.FactStateNames.pairTopic;
import static io.cdcflow.streams.topology.FactStateNames.replicaStore;
import static io.cdcflow.streams.topology.FactStateNames.safe;
import static io.cdcflow.streams.topology.FactStateNames.scanStore;
import static io.cdcflow.streams.topology.FactStateNames.subscriptionTopic;
import static io.cdcflow.streams.topology.FactStateNames.tableStore;
import static io.cdcflow.streams.topology.FactStateNames.versionStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Freshness;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactRow;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology of any facts file: the source tables' current rows ({@link SourceTables}), shared by every fact that
 * reads them; each fact is its root table's rows joined, one foreign-key left join per JOIN (or, for small tables,
 * inside each task: {@link LocalJoins}, as {@link JoinPaths} say), into its rows by position ({@link JoinedRows}; a
 * star-shaped fact's joined rows are not stored: {@link RowsSoFar}); its select list and WHERE then compute the row
 * ({@link io.cdcflow.streams.facts.FactRows}), which goes out, when it differs from the last one sent, with a version
 * that only grows per key ({@link VersionStamper}). Every processor, join and store is named after the fact and
 * alias ({@link FactStateNames}), so internal topic names survive changes elsewhere in the file; the stores are of the
 * kind configured ({@link TopologyStores}). A pure function of the configuration and the plans.
 */
public final class FactTopology {
    private final StreamsAppConfig config;
    private final List<FactPlan> plans;
    private final Metrics metrics;
    private final OutputSchemas schemas;
    /** The partitions of a topic, for the responses of the joins through Kafka (one per partition of the fact's root topic). */
    private final ToIntFunction<String> partitions;
    private final JoinPaths paths;
    private final TopologyStores stores;
    private final SourceTables sources;
    /** Stores, changelogs and join topics: binary ({@link StateCodec}); inputs and outputs are JSON text. */
    private final Serde<SourceRow> sourceRows = StateCodec.sourceRows();
    private final Serde<JoinedRows> joinedRows = StateCodec.joinedRows();
    private final Serde<String> strings = Serdes.String();
    private final Freshness freshness;
    /** Where the source tables' snapshots stand: the local joins hold rows while a small table's copies are incomplete. */
    private final SnapshotPositions snapshots;

    private FactTopology(StreamsAppConfig config, List<FactPlan> plans, Metrics metrics, OutputSchemas schemas,
                         JoinPaths paths, Set<String> fromTopics, ToIntFunction<String> partitions, SnapshotPositions snapshots) {
        this.config = config;
        this.plans = plans;
        this.metrics = metrics;
        this.schemas = schemas;
        this.partitions = partitions;
        this.paths = paths;
        this.snapshots = snapshots;
        this.freshness = new Freshness(metrics, "streams", "handled by the streams-app (emitted, or found unchanged)", "fact");
        this.stores = new TopologyStores(config, plans, paths);
        this.sources = new SourceTables(config, plans, paths, fromTopics, stores, schemas, metrics, freshness);
    }

    /**
     * The topology for topics of one partition each, and only for them (TopologyTestDriver, documentation): the joins'
     * responses are partitioned as the root topics. With the joins to the tables
     * {@code STREAMS_LOCAL_TABLES} lists inside each task (none when it is not set).
     */
    public static Topology build(StreamsAppConfig config, List<FactPlan> plans, Metrics metrics, OutputSchemas schemas) {
        List<String> local = config.localTables() == null ? List.of() : config.localTables();
        return build(config, plans, metrics, schemas, JoinPaths.toTables(plans, local), Set.of(), topic -> 1);
    }

    /**
     * @param paths      which joins are done inside each task
     * @param fromTopics the source tables whose stores their own topics restore, with no changelog (only under
     *                   exactly-once and with a topic per table: {@code SourceStoreChoice})
     * @param partitions the partition count of a source topic (the app asks Kafka)
     */
    public static Topology build(StreamsAppConfig config, List<FactPlan> plans, Metrics metrics, OutputSchemas schemas,
                                 JoinPaths paths, Set<String> fromTopics, ToIntFunction<String> partitions) {
        return build(config, plans, metrics, schemas, paths, fromTopics, partitions, new SnapshotPositions());
    }

    /** @param snapshots where the source tables' snapshots stand, as {@code SnapshotWatch} keeps it up to date */
    public static Topology build(StreamsAppConfig config, List<FactPlan> plans, Metrics metrics, OutputSchemas schemas,
                                 JoinPaths paths, Set<String> fromTopics, ToIntFunction<String> partitions, SnapshotPositions snapshots) {
        return new FactTopology(config, plans, metrics, schemas, paths, fromTopics, partitions, snapshots).build();
    }

    /**
     * A fact's rows joined so far ({@link RowsSoFar#read}), with the joins done inside each task added from the copies
     * of their tables ({@code replica}: a small table's row by its key, from the store {@link FactStateNames#replicaStore} names).
     */
    public static JoinedRows joinLocally(FactPlan plan, JoinPaths paths, JoinedRows rows,
                                         java.util.function.BiFunction<String, String, SourceRow> replica) {
        return LocalJoins.attach(plan, paths.local(plan), rows, replica);
    }

    private Topology build() {
        TopicRestoredStore.Builder builder = new TopicRestoredStore.Builder();
        Map<String, Rows<SourceRow>> tables = sources.tables(builder);
        Map<String, Rows<SourceRow>> joined = sources.asJoinsRead(builder, tables);
        Metrics.Counter failures = metrics.counter("streams_fact_errors_total",
                "Fact rows that could not be computed (sent to the dead-letter topic)", "fact");
        for (FactPlan plan : plans) {
            List<Integer> local = paths.local(plan);
            Rows<SourceRow> root = tables.get(plan.root().table());
            Rows<JoinedRows> rows = null;
            boolean paired = RowsSoFar.paired(plan, paths);
            if (paired) {
                KStream<String, JoinedRows> joins = root.changes(safe(plan.name()) + "-changes")
                        .mapValues(r -> r == null ? null : JoinedRows.root(r, plan.joins().size()), Named.as(safe(plan.name()) + "-rows"));
                for (int i = 0; i < plan.joins().size(); i++) {
                    if (!local.contains(i)) {
                        joins = pairedJoin(builder, plan, i, joins, joined);
                    }
                }
                rows = new Rows<>(null, joins, tableStore(plan.root().table()));
            }
            for (int i = 0; !paired && i < plan.joins().size(); i++) {
                if (local.contains(i)) {
                    continue;
                }
                if (paths.kafkaStreamsJoins(plan)) {
                    rows = Rows.of(rows == null ? join(plan, i, root.table(), r -> JoinedRows.root(r, plan.joins().size()), joined)
                            : join(plan, i, rows.table(), j -> j, joined));
                } else {
                    rows = Rows.of(rows == null ? subscribedJoin(builder, plan, i, root, r -> JoinedRows.root(r, plan.joins().size()), joined)
                            : subscribedJoin(builder, plan, i, rows, j -> j, joined));
                }
            }
            String name = safe(plan.name());
            KStream<String, JoinedRows> changes = rows != null ? rows.changes(name + "-changes")
                    : root.changes(name + "-changes")
                    .mapValues(r -> r == null ? null : JoinedRows.root(r, plan.joins().size()), Named.as(name + "-rows"));
            if (!local.isEmpty()) {
                changes = localJoins(builder, plan, local, changes, joined);
            }
            KStream<String, ComputedFact> computed = changes
                    .processValues(() -> new ComputeFacts(plan, failures), Named.as(name + "-compute"));
            computed.filter((k, c) -> c.failed(), Named.as(name + "-failed"))
                    .mapValues(c -> Json.bytes(deadLetter(plan, c.joined())), Named.as(name + "-failed-row"))
                    .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName(name + "-dead-letter"));
            emit(builder, computed.filter((k, c) -> !c.failed(), Named.as(name + "-computed"))
                    .mapValues(ComputedFact::row, Named.as(name + "-row")), plan);
        }
        // connected once built: the stores are added after the processors that read them
        return stores.connected(builder.buildRestoring());
    }

    /** The rows of a fact row that could not be computed, by alias, for the dead-letter topic. */
    static ObjectNode deadLetter(FactPlan plan, JoinedRows joined) {
        ObjectNode rows = Json.object();
        for (int i = 0; i < joined.size(); i++) {
            SourceRow row = joined.row(i);
            rows.set(plan.alias(i), row == null ? null : row.deleted() ? Json.object().put("deleted", true) : row.columns());
        }
        return rows;
    }

    /**
     * One JOIN: the rows joined so far (the root row for the first join) take the row their foreign key points at.
     * A parent without a row (absent or deleted) points nowhere, as its NULL columns would match nothing.
     */
    private <V> KTable<String, JoinedRows> join(FactPlan plan, int index, KTable<String, V> left,
                                                 java.util.function.Function<V, JoinedRows> rows,
                                                 Map<String, Rows<SourceRow>> tables) {
        FactPlan.Join join = plan.joins().get(index);
        int parent = plan.position(join.parentAlias());
        return left.leftJoin(tables.get(join.table()).table(),
                value -> pointsAt(rows.apply(value).row(parent), join),
                (value, row) -> rows.apply(value).with(index + 1, row),
                TableJoined.as(kafkaStreamsJoinName(plan, index)),
                stores.materialized(joinStore(plan, index), joinedRows));
    }

    /**
     * One JOIN through a subscription topic the app owns ({@link ForeignKeySubscriptions}): the rows joined so far
     * subscribe to the parent row their foreign key points at when it is not the one of their last result
     * ({@link ForeignKeyChild}); the parent side, in the parent row's task, answers each subscription and each change
     * of a subscribed parent row ({@link ForeignKeyParent}) through a responses topic partitioned as the fact's root
     * topic; the results are this join's KTable. The subscription topic is also the parent side's store's changelog.
     */
    private <V> KTable<String, JoinedRows> subscribedJoin(TopicRestoredStore.Builder builder, FactPlan plan, int index, Rows<V> left,
                                                          java.util.function.Function<V, JoinedRows> rows,
                                                          Map<String, Rows<SourceRow>> tables) {
        String name = safe(plan.name()) + "-" + safe(plan.joins().get(index).alias());
        KStream<String, ForeignKeyResponse> answers = answers(builder, plan, index, tables, false);
        KStream<String, ForeignKeyChild.Input> responses = answers
                .repartition(Repartitioned.<String, ForeignKeyResponse>as(name + "-responses").withKeySerde(strings)
                        .withValueSerde(StateCodec.responses())
                        .withNumberOfPartitions(partitions.applyAsInt(config.inputTopic(plan.root().table()))))
                .mapValues(ForeignKeyChild.Input::response, Named.as(name + "-response"));
        String leftStore = left.store();
        String joinedStore = joinStore(plan, index);
        KStream<String, ForeignKeyChild.Output> out = left.changes(name + "-left-changes")
                .mapValues(v -> ForeignKeyChild.Input.left(v == null ? null : rows.apply(v)), Named.as(name + "-left"))
                .merge(responses, Named.as(name + "-left-and-responses"))
                .processValues(() -> new ForeignKeyChild(plan, index, leftStore, joinedStore), Named.as(name + "-join"));
        stores.feed(name + "-join", leftStore);
        stores.feed(name + "-join", joinedStore);
        subscribe(out, name, subscriptionTopic(config, plan, index));
        return out.filter((k, o) -> o.isJoined(), Named.as(name + "-joined-out"))
                .mapValues(ForeignKeyChild.Output::joined, Named.as(name + "-joined-rows"))
                .toTable(Named.as(name + "-joined-table"), stores.materialized(joinedStore, joinedRows));
    }

    /**
     * One JOIN through Kafka in the paired layout ({@link RowsSoFar#paired}, {@link PairedChild}): subscriptions as in
     * {@link #subscribedJoin}; the parent side's answers, keyed by the pair, go to a compacted topic the app owns
     * ({@link FactStateNames#pairTopic}, partitioned as the fact's root topic), which the fact key's task reads into the store of
     * the pairs' parent rows, restored from that topic: the joined rows have no store and no changelog.
     */
    private KStream<String, JoinedRows> pairedJoin(TopicRestoredStore.Builder builder, FactPlan plan, int index, KStream<String, JoinedRows> left,
                                                   Map<String, Rows<SourceRow>> tables) {
        String name = safe(plan.name()) + "-" + safe(plan.joins().get(index).alias());
        KStream<String, ForeignKeyResponse> answers = answers(builder, plan, index, tables, true);
        String pairs = pairTopic(config, plan, index);
        answers.to(pairs, Produced.with(strings, StateCodec.responses()).withStreamPartitioner(new ForeignKeySubscriptions.ByChild<>())
                        .withName(name + "-answer"));
        KStream<String, PairedChild.Input> received = stores.ownTopicStore(builder, pairs, StateCodec.responses(), name + "-pairs", pairStore(plan, index))
                .mapValues(PairedChild.Input::pair, Named.as(name + "-pair"));
        KStream<String, ForeignKeyChild.Output> out = left
                .mapValues(PairedChild.Input::left, Named.as(name + "-left"))
                .merge(received, Named.as(name + "-left-and-pairs"))
                .process(() -> new PairedChild(plan, paths, index), Named.as(name + "-join"));
        RowsSoFar.stores(plan, paths, index + 1).forEach(store -> stores.feed(name + "-join", store));
        subscribe(out, name, subscriptionTopic(config, plan, index));
        return out.filter((k, o) -> o.isJoined(), Named.as(name + "-joined-out"))
                .mapValues(ForeignKeyChild.Output::joined, Named.as(name + "-joined-rows"));
    }

    /**
     * The parent side of join {@code index} through Kafka, in the parent row's task: the subscriptions, read from
     * the subscription topic into a store (restored from it), answered each with the parent row, and each change of a subscribed parent
     * row answered to every subscriber ({@link ForeignKeyParent}); keyed by the pair in the paired layout.
     */
    private KStream<String, ForeignKeyResponse> answers(TopicRestoredStore.Builder builder, FactPlan plan, int index,
                                                        Map<String, Rows<SourceRow>> tables, boolean paired) {
        FactPlan.Join join = plan.joins().get(index);
        String name = safe(plan.name()) + "-" + safe(join.alias());
        Rows<SourceRow> parents = tables.get(join.table());
        String subscribers = name + "-subscribers";
        KStream<String, byte[]> subscriptions = stores.ownTopicStore(builder, subscriptionTopic(config, plan, index), Serdes.ByteArray(),
                name + "-subscriptions", subscribers);
        String parentStore = parents.store();
        String scans = name + "-snapshot-scans";
        builder.addStateStore(Stores.keyValueStoreBuilder(stores.supplier(scans), strings, strings));
        KStream<String, ForeignKeyResponse> answered = subscriptions
                .process(() -> new ForeignKeyParent.OnSubscription(parentStore, paired, join.table(), subscribers, snapshots, scans),
                        Named.as(name + "-answer-subscription"), scans);
        stores.feed(name + "-answer-subscription", parentStore);
        stores.feed(name + "-answer-subscription", subscribers);
        KStream<String, ForeignKeyResponse> changed = parents.changes(name + "-parent-changes")
                .process(() -> new ForeignKeyParent.OnChange(subscribers, paired), Named.as(name + "-answer-change"));
        stores.feed(name + "-answer-change", subscribers);
        return answered.merge(changed, Named.as(name + "-answers"));
    }

    /** The subscriptions the fact's side of a join through Kafka starts and ends, to its subscription topic. */
    private void subscribe(KStream<String, ForeignKeyChild.Output> out, String name, String topic) {
        out.filter((k, o) -> !o.isJoined(), Named.as(name + "-subscriptions-out"))
                .map((k, o) -> org.apache.kafka.streams.KeyValue.pair(ForeignKeySubscriptions.key(o.foreignKey(), k),
                        o.subscribe() ? ForeignKeySubscriptions.SUBSCRIBED : null), Named.as(name + "-subscription"))
                .to(topic, Produced.with(strings, Serdes.ByteArray()).withStreamPartitioner(new ForeignKeySubscriptions.ByForeignKey())
                        .withName(name + "-subscribe"));
    }

    /**
     * The joins to small tables inside each task ({@link LocalJoins}): each small table's changes are copied to every
     * partition of the fact's root topic (a compacted topic the app owns, {@link FactStateNames#copyTopic}, written by a partitioner
     * that names them all), read back into the store of the task's copy, which that topic restores, merged with
     * the fact's rows joined so far, and joined against the task's copies.
     */
    private KStream<String, JoinedRows> localJoins(TopicRestoredStore.Builder builder, FactPlan plan, List<Integer> local,
                                                   KStream<String, JoinedRows> left, Map<String, Rows<SourceRow>> tables) {
        String name = safe(plan.name());
        KStream<String, LocalJoins.Change> changes = left.mapValues(LocalJoins.Change::left, Named.as(name + "-local-left"));
        Map<String, String> replicaStores = new LinkedHashMap<>();
        for (int j : local) {
            String table = plan.joins().get(j).table();
            if (replicaStores.containsKey(table)) {
                continue;
            }
            String copy = replicaStore(plan, table);
            replicaStores.put(table, copy);
            String topic = copyTopic(config, plan, table);
            tables.get(table).changes(copy + "-changes")
                    .processValues(ChangedRows.JoinsSee::new, Named.as(copy + "-joined-changes"))
                    .to(topic, Produced.with(strings, sourceRows).withStreamPartitioner(new EveryPartition()).withName(copy + "-everywhere"));
            KStream<String, SourceRow> copied = stores.ownTopicStore(builder, topic, sourceRows, copy + "-source", copy);
            changes = changes.merge(copied.mapValues(row -> LocalJoins.Change.right(table, row), Named.as(copy + "-right")),
                    Named.as(copy + "-merge"));
            // the joins read the copy's store, connected once built
            stores.feed(name + "-local-joins", copy);
        }
        // the rows joined so far, and the index beside them (indexing()), are read from the stores they come from
        // (RowsSoFar), connected once built
        RowsSoFar.stores(plan, paths, plan.joins().size()).forEach(store -> stores.feed(name + "-local-joins", store));
        String scans = scanStore(plan);
        builder.addStateStore(Stores.keyValueStoreBuilder(stores.supplier(scans), strings, strings));
        return changes.process(() -> new LocalJoins(plan, paths, replicaStores, snapshots, scans), Named.as(name + "-local-joins"), scans);
    }

    /** Sends each record to every partition: each task keeps a whole copy of a small table. */
    private static final class EveryPartition implements StreamPartitioner<String, SourceRow> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, SourceRow value, int numPartitions) {
            Set<Integer> all = new HashSet<>();
            for (int p = 0; p < numPartitions; p++) {
                all.add(p);
            }
            return Optional.of(all);
        }
    }

    private void emit(StreamsBuilder builder, KStream<String, FactRow> rows, FactPlan plan) {
        String name = safe(plan.name());
        String store = versionStore(plan);
        builder.addStateStore(Stores.keyValueStoreBuilder(stores.supplier(store), strings, VersionStamper.serde()));
        boolean suppress = config.exactlyOnce();
        Freshness.Series lag = freshness.series(plan.name());
        rows.process(() -> new VersionStamper(store, plan, schemas, suppress, lag, snapshots), Named.as(name + "-version"), store)
                .to(plan.name(), Produced.with(strings, Serdes.ByteArray()).withName(name + "-sink"));
    }

    /**
     * The key of the row a join points at from its parent's row, in the form the wal-producer keys records
     * ({"id":123}): the parent's columns under the joined table's key column names, in key order. A parent without a
     * row (absent or deleted) or with a NULL in those columns points nowhere (null). Foreign-key and local joins alike.
     */
    static String pointsAt(SourceRow parent, FactPlan.Join join) {
        if (!SourceRow.exists(parent)) {
            return null;
        }
        JsonNode[] values = new JsonNode[join.parentColumns().size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = parent.get(join.parentColumns().get(i));
            if (value == null || value.isNull()) {
                return null;
            }
            values[i] = value;
        }
        return Json.objectText(join.keyColumns().toArray(String[]::new), values);
    }

}
