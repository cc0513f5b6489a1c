package io.cdcflow.streams.topology;

import static io.cdcflow.streams.topology.FactStateNames.copyTopic;
import static io.cdcflow.streams.topology.FactStateNames.joinStore;
import static io.cdcflow.streams.topology.FactStateNames.joinedTableStore;
import static io.cdcflow.streams.topology.FactStateNames.kafkaStreamsJoinName;
import static io.cdcflow.streams.topology.FactStateNames.newestTopic;
import static io.cdcflow.streams.topology.FactStateNames.pairStore;
import static io.cdcflow.streams.topology.FactStateNames.pairTopic;
import static io.cdcflow.streams.topology.FactStateNames.replicaStore;
import static io.cdcflow.streams.topology.FactStateNames.safe;
import static io.cdcflow.streams.topology.FactStateNames.scanStore;
import static io.cdcflow.streams.topology.FactStateNames.store;
import static io.cdcflow.streams.topology.FactStateNames.subscriptionTopic;
import static io.cdcflow.streams.topology.FactStateNames.tableStore;
import static io.cdcflow.streams.topology.FactStateNames.versionStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactRow;
import io.cdcflow.streams.facts.Projections;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology of any facts file: each source table's change events become one table of current rows (a store and
 * its changes), shared by every fact that reads it, holding only the columns the facts read ({@link Projections})
 * and changing only when one of them does ({@link ChangedRows}); each fact is its root table's rows joined, one
 * foreign-key left join per JOIN (or, for small tables, inside each task: {@link LocalJoins}, as {@link JoinPaths}
 * say), into its rows by position ({@link JoinedRows}; a star-shaped fact's joined rows are not stored:
 * {@link RowsSoFar}); its select list and WHERE then compute the row ({@link io.cdcflow.streams.facts.FactRows}),
 * which goes out, when it differs from the last one sent, with a version
 * that only grows per key ({@link VersionStamper}). Every processor, join and store is named after the fact and
 * alias ({@link FactStateNames}), so internal topic names survive changes elsewhere in the file. A pure function of the
 * configuration and the plans.
 */
public final class FactTopology {
    private final StreamsAppConfig config;
    private final List<FactPlan> plans;
    private final Metrics metrics;
    private final OutputSchemas schemas;
    /** The partitions of a topic, for the responses of the joins through Kafka (one per partition of the fact's root topic). */
    private final ToIntFunction<String> partitions;
    private final JoinPaths paths;
    /** The source tables whose stores their own topics restore ({@link SourceTopicStore}): no changelog. */
    private final Set<String> fromTopics;
    private final Metrics.Counter deadLetters;
    /** Stores, changelogs and join topics: binary ({@link StateCodec}); inputs and outputs are JSON text. */
    private final Serde<SourceRow> sourceRows = StateCodec.sourceRows();
    private final Serde<JoinedRows> joinedRows = StateCodec.joinedRows();
    private final Map<String, Projection> projections;
    /** The columns the joins read of each table they read ({@link Projections#joined}). */
    private final Map<String, Projection> joinedProjections;
    /** The processors that read stores added after them ({@link #changedRows}, {@link #topicStore}), and those stores. */
    private final Map<String, List<String>> feeding = new LinkedHashMap<>();
    private final Serde<String> strings = Serdes.String();
    private final io.cdcflow.common.ops.Freshness freshness;
    /** The stores of rows joined so far that also hold the index of joins inside each task, with the facts indexed. */
    private final Map<String, List<JoinIndexStore.Indexed>> indexed = new LinkedHashMap<>();
    /** Where the source tables' snapshots stand: the local joins hold rows while a small table's copies are incomplete. */
    private final SnapshotPositions snapshots;

    private FactTopology(StreamsAppConfig config, List<FactPlan> plans, Metrics metrics, OutputSchemas schemas,
                         JoinPaths paths, Set<String> fromTopics, ToIntFunction<String> partitions, SnapshotPositions snapshots) {
        this.config = config;
        this.snapshots = snapshots;
        this.paths = paths;
        this.fromTopics = Set.copyOf(fromTopics);
        if (!fromTopics.isEmpty() && (!exactlyOnce() || config.singleInputTopic() != null)) {
            // under at-least-once a replay after a crash finds the store ahead of it and would pass nothing on
            throw new IllegalArgumentException("source tables " + fromTopics + " restored from their topics: only under "
                    + "exactly_once_v2 with a topic per table");
        }
        this.deadLetters = metrics.counter("streams_dead_letter_total", "Input records sent to the dead-letter topic", "topic", "reason");
        this.plans = plans;
        this.metrics = metrics;
        this.schemas = schemas;
        this.partitions = partitions;
        this.projections = Projections.of(plans);
        this.joinedProjections = Projections.joined(plans);
        this.freshness = new io.cdcflow.common.ops.Freshness(metrics, "streams", "handled by the streams-app (emitted, or found unchanged)", "fact");
        for (FactPlan plan : plans) {
            if (!paths.local(plan).isEmpty()) {
                indexed.computeIfAbsent(store(plan, paths), s -> new ArrayList<>()).add(new JoinIndexStore.Indexed(plan, paths.local(plan)));
            }
        }
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
        Set<String> tableNames = new LinkedHashSet<>();
        plans.forEach(p -> tableNames.addAll(p.tables()));
        Map<String, Rows<SourceRow>> tables = new LinkedHashMap<>();
        tableNames.stream().filter(fromTopics::contains).forEach(table -> tables.put(table, topicTable(builder, table)));
        Map<String, KStream<String, ChangeEvent>> events = sourceEvents(builder,
                tableNames.stream().filter(table -> !fromTopics.contains(table)).toList());
        events.forEach((table, stream) -> tables.put(table, table(builder, stream, table)));
        Map<String, Rows<SourceRow>> joined = joinedTables(builder, tables);
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
        Topology topology = builder.buildRestoring();
        // connected once built: the stores are added after the processors that read them
        feeding.forEach((processor, stores) -> topology.connectProcessorAndStateStores(processor, stores.toArray(String[]::new)));
        return topology;
    }

    private void feed(String processor, String store) {
        feeding.computeIfAbsent(processor, p -> new ArrayList<>()).add(store);
    }

    /**
     * The tables as the joins read them: where a fact reads a table whole ({@code SELECT *}, a dimension) and the joins
     * read only some of its columns, a KTable of those columns that changes only when one of them does
     * ({@link ChangedRows}), so a change of another column (a {@code last_seen_at}) sends no foreign-key response
     * per fact row; else the table itself. (Only there: a store of its own costs a changelog record per change, which
     * pays where unread columns change, as a dimension's do.) Not under at-least-once, where nothing is suppressed.
     */
    private Map<String, Rows<SourceRow>> joinedTables(StreamsBuilder builder, Map<String, Rows<SourceRow>> tables) {
        Map<String, Rows<SourceRow>> out = new LinkedHashMap<>();
        tables.forEach((table, rows) -> {
            Projection projection = joinedProjections.get(table);
            if (!exactlyOnce() || projection == null || projection.columns() == null || projections.get(table).columns() != null) {
                out.put(table, rows);
                return;
            }
            String name = safe(table);
            out.put(table, changedRows(builder, rows.changes("joined-changes-" + name), "project-" + name,
                    "joined-table-" + name, table, joinedTableStore(table), (current, row) -> {
                        if (row == null) {
                            return current;
                        }
                        SourceRow projected = row.project(projection);
                        return projected.sameContent(current) ? current : projected;
                    }, null));
        });
        return out;
    }

    /**
     * A table fed only the rows that change ({@link ChangedRows}): {@code next} computes each row from the one the
     * table holds, and returns that one when nothing changed. {@link ChangedRows} writes the store itself (logged, with
     * the changelog a KTable's store would have), unless a fact joins with Kafka Streams' own foreign-key joins, which
     * need KTables: then the changed rows become a KTable, whose source reads each row again before writing it.
     */
    private <V> Rows<SourceRow> changedRows(StreamsBuilder builder, KStream<String, V> input, String processor, String table, String source,
                                            String store, java.util.function.BiFunction<SourceRow, V, SourceRow> next,
                                            Projection joined) {
        java.util.function.LongConsumer unchanged = unchanged(source);
        if (paths.anyKafkaStreamsJoins(plans)) {
            feed(processor, store);
            return Rows.of(input.processValues(() -> new ChangedRows<>(store, next, unchanged, joined, false), Named.as(processor))
                    .toTable(Named.as(table), materialized(store, sourceRows)));
        }
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(stores(store, true), strings, sourceRows).withCachingDisabled());
        return new Rows<>(null, input.processValues(() -> new ChangedRows<>(store, next, unchanged, joined, true), Named.as(processor), store),
                store);
    }

    /** Told the time of each change of {@code table} that altered no column the facts read: every fact reading it handled it. */
    private java.util.function.LongConsumer unchanged(String table) {
        List<io.cdcflow.common.ops.Freshness.Series> readers = plans.stream().filter(plan -> plan.tables().contains(table))
                .map(plan -> freshness.series(plan.name())).toList();
        return committed -> readers.forEach(fact -> fact.handled(committed));
    }

    /**
     * Whether nothing unchanged is passed on ({@link ChangedRows}, {@link VersionStamper}): only under exactly-once,
     * where a store and what was sent because of it commit together. Under at-least-once a crash can keep a store's
     * update and lose the record sent for it; the replay must then send it again, so every change is passed on.
     */
    private boolean exactlyOnce() {
        return org.apache.kafka.streams.StreamsConfig.EXACTLY_ONCE_V2.equals(config.processingGuarantee());
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
                materialized(joinStore(plan, index), joinedRows));
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
        feed(name + "-join", leftStore);
        feed(name + "-join", joinedStore);
        subscribe(out, name, subscriptionTopic(config, plan, index));
        return out.filter((k, o) -> o.isJoined(), Named.as(name + "-joined-out"))
                .mapValues(ForeignKeyChild.Output::joined, Named.as(name + "-joined-rows"))
                .toTable(Named.as(name + "-joined-table"), materialized(joinedStore, joinedRows));
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
        KStream<String, PairedChild.Input> received = ownTopicStore(builder, pairs, StateCodec.responses(), name + "-pairs", pairStore(plan, index))
                .mapValues(PairedChild.Input::pair, Named.as(name + "-pair"));
        KStream<String, ForeignKeyChild.Output> out = left
                .mapValues(PairedChild.Input::left, Named.as(name + "-left"))
                .merge(received, Named.as(name + "-left-and-pairs"))
                .process(() -> new PairedChild(plan, paths, index), Named.as(name + "-join"));
        RowsSoFar.stores(plan, paths, index + 1).forEach(store -> feed(name + "-join", store));
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
        KStream<String, byte[]> subscriptions = ownTopicStore(builder, subscriptionTopic(config, plan, index), Serdes.ByteArray(),
                name + "-subscriptions", subscribers);
        String parentStore = parents.store();
        String scans = name + "-snapshot-scans";
        builder.addStateStore(Stores.keyValueStoreBuilder(stores(scans), strings, strings));
        KStream<String, ForeignKeyResponse> answered = subscriptions
                .process(() -> new ForeignKeyParent.OnSubscription(parentStore, paired, join.table(), subscribers, snapshots, scans),
                        Named.as(name + "-answer-subscription"), scans);
        feed(name + "-answer-subscription", parentStore);
        feed(name + "-answer-subscription", subscribers);
        KStream<String, ForeignKeyResponse> changed = parents.changes(name + "-parent-changes")
                .process(() -> new ForeignKeyParent.OnChange(subscribers, paired), Named.as(name + "-answer-change"));
        feed(name + "-answer-change", subscribers);
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
            KStream<String, SourceRow> copied = ownTopicStore(builder, topic, sourceRows, copy + "-source", copy);
            changes = changes.merge(copied.mapValues(row -> LocalJoins.Change.right(table, row), Named.as(copy + "-right")),
                    Named.as(copy + "-merge"));
            // the joins read the copy's store, connected once built
            feed(name + "-local-joins", copy);
        }
        // the rows joined so far, and the index beside them (indexing()), are read from the stores they come from
        // (RowsSoFar), connected once built
        RowsSoFar.stores(plan, paths, plan.joins().size()).forEach(store -> feed(name + "-local-joins", store));
        String scans = scanStore(plan);
        builder.addStateStore(Stores.keyValueStoreBuilder(stores(scans), strings, strings));
        return changes.process(() -> new LocalJoins(plan, paths, replicaStores, snapshots, scans), Named.as(name + "-local-joins"), scans);
    }

    /**
     * A topic the app owns ({@link FactStateNames#ownTopics}) read into {@code store}, which it restores with no changelog of its own
     * ({@link TopicRestoredStore}), from its beginning when the application has no offset yet.
     */
    private <V> KStream<String, V> ownTopicStore(TopicRestoredStore.Builder builder, String topic, Serde<V> values, String name,
                                                 String store) {
        return topicStore(builder, topic, org.apache.kafka.streams.AutoOffsetReset.earliest(), stores(store, true), strings, values,
                name, name + "-store");
    }

    /**
     * {@code topic} read into the store {@code supplier} makes, which the topic restores ({@link TopicRestoredStore}),
     * by the processor {@code writer}; each record goes on once the store holds it.
     */
    private <V> KStream<String, V> topicStore(TopicRestoredStore.Builder builder, String topic, org.apache.kafka.streams.AutoOffsetReset reset,
                                              KeyValueBytesStoreSupplier supplier, Serde<String> keys, Serde<V> values,
                                              String source, String writer) {
        String store = supplier.name();
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(supplier, keys, values).withLoggingDisabled().withCachingDisabled());
        builder.restoreFrom(store, topic);
        return builder.stream(topic, Consumed.with(keys, values).withName(source).withOffsetResetPolicy(reset))
                .processValues(() -> new TopicRestoredStore.Writer<V>(store), Named.as(writer), store);
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

    /** Parsed events per table; records that cannot be processed go to the dead-letter topic. */
    private Map<String, KStream<String, ChangeEvent>> sourceEvents(StreamsBuilder builder, List<String> tables) {
        if (tables.isEmpty()) {
            return Map.of();
        }
        Map<String, KStream<String, ChangeEvent>> byTable = new LinkedHashMap<>();
        if (config.singleInputTopic() != null) {
            Set<String> all = new LinkedHashSet<>(tables);
            BranchedKStream<String, ParsedEvent> split = parsed(builder, config.singleInputTopic(), "all", all)
                    .split(Named.as("split-by-table-"));
            for (String table : tables) {
                split = split.branch((k, e) -> table.equals(e.table()),
                        Branched.withConsumer(s -> byTable.put(table, s.mapValues(ParsedEvent::value, Named.as("event-" + safe(table))))));
            }
            split.noDefaultBranch();
        } else {
            for (String table : tables) {
                byTable.put(table, parsed(builder, config.inputTopic(table), safe(table), Set.of(table))
                        .mapValues(ParsedEvent::value, Named.as("event-" + safe(table))));
            }
        }
        return byTable;
    }

    private KStream<String, ParsedEvent> parsed(StreamsBuilder builder, String topic, String name, Set<String> tables) {
        KStream<String, ParsedEvent> parsed = builder
                // "none": an offset retention deleted is never skipped (SourceOffsets commits a start where there is none)
                .stream(topic, Consumed.with(strings, Serdes.ByteArray()).withName("source-" + name)
                        .withOffsetResetPolicy(org.apache.kafka.streams.AutoOffsetReset.none()))
                .processValues(() -> new ParseEvents(tables, deadLetters, schemas), Named.as("parse-" + name));
        parsed.filter((k, e) -> e.failed(), Named.as("failed-" + name))
                .mapValues(ParsedEvent::raw, Named.as("raw-" + name))
                .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName("dead-letter-" + name));
        return parsed.filter((k, e) -> !e.failed(), Named.as("parsed-" + name));
    }

    /**
     * The current rows of a source table its own topic restores ({@link SourceTopicStore}): the topic read into a store
     * that applies each change event as {@link #table} does ({@link #topicStore}), and {@code apply-<table>} after it
     * passing on the rows that changed and sending what cannot be parsed to the dead-letter topic, as
     * {@code parse-<table>} does.
     */
    private Rows<SourceRow> topicTable(TopicRestoredStore.Builder builder, String table) {
        String name = safe(table);
        String store = tableStore(table);
        Projection projection = projections.getOrDefault(table, Projection.ALL);
        // the processor after the writer reads what the store's last write did: no cache may stand between
        KStream<String, Object> events = topicStore(builder, config.inputTopic(table), org.apache.kafka.streams.AutoOffsetReset.none(), // as parsed()
                SourceTopicStore.of(indexing(store, baseStores(store, true)), table, projection, newestTopic(config, table)),
                SourceTopicStore.keys(), SourceTopicStore.values(), "source-" + name, "table-" + name);
        java.util.function.LongConsumer unchanged = unchanged(table);
        Projection joined = joinedColumns(table, projection);
        feed("apply-" + name, store);
        KStream<String, SourceTopicStore.Change> applied = events
                .processValues(() -> new SourceTopicStore.Changes(store, joined, unchanged, new ParseEvents.DeadLetters(deadLetters), schemas),
                        Named.as("apply-" + name));
        applied.filter((k, c) -> c.failed(), Named.as("failed-" + name))
                .map((k, c) -> org.apache.kafka.streams.KeyValue.pair(SourceTopicStore.NO_KEY.equals(k) ? null : k, c.raw()),
                        Named.as("raw-" + name))
                .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName("dead-letter-" + name));
        applied.filter((k, c) -> c.newest() != null, Named.as("newest-" + name))
                .mapValues(SourceTopicStore.Change::newest, Named.as("newest-row-" + name))
                .to(newestTopic(config, table), Produced.with(strings, sourceRows).withName("newest-rows-" + name));
        return new Rows<>(null, applied.filter((k, c) -> c.row() != null, Named.as("changed-" + name))
                .mapValues(SourceTopicStore.Change::row, Named.as("row-" + name)), store);
    }

    /**
     * A table as the topology reads it: its changes, and the store of its rows, which the processors reading it are
     * connected to by name. A KTable's ({@link #of}), or a source table its topic restores ({@link #topicTable}),
     * which is no KTable.
     */
    private record Rows<V>(KTable<String, V> table, KStream<String, V> changes, String store) {
        static <V> Rows<V> of(KTable<String, V> table) {
            return new Rows<>(table, null, table.queryableStoreName());
        }

        /** The table's changes, through a node of that name where it is a KTable. */
        KStream<String, V> changes(String name) {
            return table != null ? table.toStream(Named.as(name)) : changes;
        }
    }

    /**
     * The current rows of a source table, its projected columns only: duplicates, stale re-deliveries and changes to
     * no projected column ignored ({@link ChangedRows}, which reads this table's store), deletes kept as marked rows.
     */
    private Rows<SourceRow> table(StreamsBuilder builder, KStream<String, ChangeEvent> events, String table) {
        String name = safe(table);
        String store = tableStore(table);
        Projection projection = projections.getOrDefault(table, Projection.ALL);
        if (!exactlyOnce()) {
            return Rows.of(events
                    // the key is unchanged, so nothing is repartitioned and the events' serde is never used
                    .groupByKey(Grouped.with("group-" + name, strings, new ChangeEventSerde()))
                    .aggregate(() -> null, (key, event, current) -> SourceRow.apply(current, event, projection),
                            Named.as("apply-" + name), materialized(store, sourceRows)));
        }
        return changedRows(builder, events, "apply-" + name, "table-" + name, table, store,
                (current, event) -> SourceRow.apply(current, event, projection), joinedColumns(table, projection));
    }

    /**
     * The columns the joins read of a table whose joins read it directly ({@link #joinedTables} gives them no table of
     * their own), when fewer than the table keeps: a change to none of them is marked by {@link ChangedRows} and goes
     * no further than the table's own facts. Null when every change reaches the joins.
     */
    private Projection joinedColumns(String table, Projection kept) {
        Projection joined = joinedProjections.get(table);
        if (joined == null || joined.columns() == null || kept.columns() == null || kept.columns().equals(joined.columns())) {
            return null;
        }
        return joined;
    }

    private void emit(StreamsBuilder builder, KStream<String, FactRow> rows, FactPlan plan) {
        String name = safe(plan.name());
        String store = versionStore(plan);
        builder.addStateStore(Stores.keyValueStoreBuilder(stores(store), strings, VersionStamper.serde()));
        boolean suppress = exactlyOnce();
        io.cdcflow.common.ops.Freshness.Series lag = freshness.series(plan.name());
        rows.process(() -> new VersionStamper(store, plan, schemas, suppress, lag), Named.as(name + "-version"), store)
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

    private <V> Materialized<String, V, KeyValueStore<Bytes, byte[]>> materialized(String store, Serde<V> values) {
        return Materialized.<String, V>as(stores(store, true)).withKeySerde(strings).withValueSerde(values);
    }

    /**
     * A store of the kind {@code STREAMS_STATE_STORES} names; the stores Kafka Streams makes for itself (a
     * foreign-key join's subscriptions) follow {@link io.cdcflow.streams.StreamsApp#properties}' {@code dsl.store.suppliers.class}.
     */
    private KeyValueBytesStoreSupplier stores(String name) {
        return stores(name, false);
    }

    /** @param timestamped a KTable's store: RocksDB's format with timestamps, which Kafka Streams reads unconverted */
    private KeyValueBytesStoreSupplier stores(String name, boolean timestamped) {
        KeyValueBytesStoreSupplier base = indexing(name, baseStores(name, timestamped));
        return config.stores() == StreamsAppConfig.Stores.MEMORY ? base : RocksStores.of(base);
    }

    /**
     * {@code supplier}, holding the index of the joins inside each task beside the rows where {@code name} is the store of
     * a fact's rows joined so far ({@link JoinIndexStore}; such stores are KTables', with timestamps).
     */
    private KeyValueBytesStoreSupplier indexing(String name, KeyValueBytesStoreSupplier supplier) {
        List<JoinIndexStore.Indexed> facts = indexed.get(name);
        return facts == null ? supplier : JoinIndexStore.of(supplier, facts);
    }

    /** The stores {@code STREAMS_STATE_STORES} names, as Kafka Streams makes them. */
    private KeyValueBytesStoreSupplier baseStores(String name, boolean timestamped) {
        if (config.stores() == StreamsAppConfig.Stores.MEMORY) {
            return Stores.inMemoryKeyValueStore(name);
        }
        return timestamped ? Stores.persistentTimestampedKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }
}
