package io.cdcflow.streams.topology;

import static io.cdcflow.streams.topology.FactStateNames.joinedTableStore;
import static io.cdcflow.streams.topology.FactStateNames.newestTopic;
import static io.cdcflow.streams.topology.FactStateNames.safe;
import static io.cdcflow.streams.topology.FactStateNames.tableStore;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.ops.Freshness;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.Projections;
import io.cdcflow.streams.model.Projection;
import io.cdcflow.streams.model.SourceRow;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The source tables' side of a fact topology: each source table's change events become one table of current rows (a
 * store and its changes), shared by every fact that reads it, holding only the columns the facts read
 * ({@link Projections}) and changing only when one of them does ({@link ChangedRows}); events that cannot be parsed
 * go to the dead-letter topic. A table is read from its topic and applied to a logged store ({@link #table}), or,
 * under exactly-once with a topic per table, read into a store its own topic restores ({@link SourceTopicStore}).
 */
final class SourceTables {
    private final StreamsAppConfig config;
    private final List<FactPlan> plans;
    private final JoinPaths paths;
    /** The source tables whose stores their own topics restore ({@link SourceTopicStore}): no changelog. */
    private final Set<String> fromTopics;
    private final TopologyStores stores;
    private final OutputSchemas schemas;
    private final Freshness freshness;
    private final Metrics.Counter deadLetters;
    private final Map<String, Projection> projections;
    /** The columns the joins read of each table they read ({@link Projections#joined}). */
    private final Map<String, Projection> joinedProjections;
    private final Serde<SourceRow> sourceRows = StateCodec.sourceRows();
    private final Serde<String> strings = Serdes.String();

    SourceTables(StreamsAppConfig config, List<FactPlan> plans, JoinPaths paths, Set<String> fromTopics, TopologyStores stores,
                 OutputSchemas schemas, Metrics metrics, Freshness freshness) {
        if (!fromTopics.isEmpty() && (!config.exactlyOnce() || config.singleInputTopic() != null)) {
            // under at-least-once a replay after a crash finds the store ahead of it and would pass nothing on
            throw new IllegalArgumentException("source tables " + fromTopics + " restored from their topics: only under "
                    + "exactly_once_v2 with a topic per table");
        }
        this.config = config;
        this.plans = plans;
        this.paths = paths;
        this.fromTopics = Set.copyOf(fromTopics);
        this.stores = stores;
        this.schemas = schemas;
        this.freshness = freshness;
        this.deadLetters = metrics.counter("streams_dead_letter_total", "Input records sent to the dead-letter topic", "topic", "reason");
        this.projections = Projections.of(plans);
        this.joinedProjections = Projections.joined(plans);
    }

    /** The current rows of every table the facts read, by table, in the order the facts name them. */
    Map<String, Rows<SourceRow>> tables(TopicRestoredStore.Builder builder) {
        Set<String> tableNames = new LinkedHashSet<>();
        plans.forEach(p -> tableNames.addAll(p.tables()));
        Map<String, Rows<SourceRow>> tables = new LinkedHashMap<>();
        tableNames.stream().filter(fromTopics::contains).forEach(table -> tables.put(table, topicTable(builder, table)));
        Map<String, KStream<String, ChangeEvent>> events = sourceEvents(builder,
                tableNames.stream().filter(table -> !fromTopics.contains(table)).toList());
        events.forEach((table, stream) -> tables.put(table, table(builder, stream, table)));
        return tables;
    }

    /**
     * The tables as the joins read them: where a fact reads a table whole ({@code SELECT *}, a dimension) and the joins
     * read only some of its columns, a KTable of those columns that changes only when one of them does
     * ({@link ChangedRows}), so a change of another column (a {@code last_seen_at}) sends no foreign-key response
     * per fact row; else the table itself. (Only there: a store of its own costs a changelog record per change, which
     * pays where unread columns change, as a dimension's do.) Not under at-least-once, where nothing is suppressed.
     */
    Map<String, Rows<SourceRow>> asJoinsRead(StreamsBuilder builder, Map<String, Rows<SourceRow>> tables) {
        Map<String, Rows<SourceRow>> out = new LinkedHashMap<>();
        tables.forEach((table, rows) -> {
            Projection projection = joinedProjections.get(table);
            if (!config.exactlyOnce() || projection == null || projection.columns() == null || projections.get(table).columns() != null) {
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
                                            String store, BiFunction<SourceRow, V, SourceRow> next, Projection joined) {
        LongConsumer unchanged = unchanged(source);
        if (paths.anyKafkaStreamsJoins(plans)) {
            stores.feed(processor, store);
            return Rows.of(input.processValues(() -> new ChangedRows<>(store, next, unchanged, joined, false), Named.as(processor))
                    .toTable(Named.as(table), stores.materialized(store, sourceRows)));
        }
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(stores.supplier(store, true), strings, sourceRows).withCachingDisabled());
        return new Rows<>(null, input.processValues(() -> new ChangedRows<>(store, next, unchanged, joined, true), Named.as(processor), store),
                store);
    }

    /** Told the time of each change of {@code table} that altered no column the facts read: every fact reading it handled it. */
    private LongConsumer unchanged(String table) {
        List<Freshness.Series> readers = plans.stream().filter(plan -> plan.tables().contains(table))
                .map(plan -> freshness.series(plan.name())).toList();
        return committed -> readers.forEach(fact -> fact.handled(committed));
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
                        .withOffsetResetPolicy(AutoOffsetReset.none()))
                .processValues(() -> new ParseEvents(tables, deadLetters, schemas), Named.as("parse-" + name));
        parsed.filter((k, e) -> e.failed(), Named.as("failed-" + name))
                .mapValues(ParsedEvent::raw, Named.as("raw-" + name))
                .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName("dead-letter-" + name));
        return parsed.filter((k, e) -> !e.failed(), Named.as("parsed-" + name));
    }

    /**
     * The current rows of a source table its own topic restores ({@link SourceTopicStore}): the topic read into a store
     * that applies each change event as {@link #table} does ({@link TopologyStores#topicStore}), and {@code apply-<table>}
     * after it passing on the rows that changed and sending what cannot be parsed to the dead-letter topic, as
     * {@code parse-<table>} does.
     */
    private Rows<SourceRow> topicTable(TopicRestoredStore.Builder builder, String table) {
        String name = safe(table);
        String store = tableStore(table);
        Projection projection = projections.getOrDefault(table, Projection.ALL);
        // the processor after the writer reads what the store's last write did: no cache may stand between
        KStream<String, Object> events = stores.topicStore(builder, config.inputTopic(table), AutoOffsetReset.none(), // as parsed()
                SourceTopicStore.of(stores.indexing(store, stores.base(store, true)), table, projection, newestTopic(config, table)),
                SourceTopicStore.keys(), SourceTopicStore.values(), "source-" + name, "table-" + name);
        LongConsumer unchanged = unchanged(table);
        Projection joined = joinedColumns(table, projection);
        stores.feed("apply-" + name, store);
        KStream<String, SourceTopicStore.Change> applied = events
                .processValues(() -> new SourceTopicStore.Changes(store, joined, unchanged, new ParseEvents.DeadLetters(deadLetters), schemas),
                        Named.as("apply-" + name));
        applied.filter((k, c) -> c.failed(), Named.as("failed-" + name))
                .map((k, c) -> KeyValue.pair(SourceTopicStore.NO_KEY.equals(k) ? null : k, c.raw()), Named.as("raw-" + name))
                .to(config.deadLetterTopic(), Produced.with(strings, Serdes.ByteArray()).withName("dead-letter-" + name));
        applied.filter((k, c) -> c.newest() != null, Named.as("newest-" + name))
                .mapValues(SourceTopicStore.Change::newest, Named.as("newest-row-" + name))
                .to(newestTopic(config, table), Produced.with(strings, sourceRows).withName("newest-rows-" + name));
        return new Rows<>(null, applied.filter((k, c) -> c.row() != null, Named.as("changed-" + name))
                .mapValues(SourceTopicStore.Change::row, Named.as("row-" + name)), store);
    }

    /**
     * The current rows of a source table, its projected columns only: duplicates, stale re-deliveries and changes to
     * no projected column ignored ({@link ChangedRows}, which reads this table's store), deletes kept as marked rows.
     */
    private Rows<SourceRow> table(StreamsBuilder builder, KStream<String, ChangeEvent> events, String table) {
        String name = safe(table);
        String store = tableStore(table);
        Projection projection = projections.getOrDefault(table, Projection.ALL);
        if (!config.exactlyOnce()) {
            return Rows.of(events
                    // the key is unchanged, so nothing is repartitioned and the events' serde is never used
                    .groupByKey(Grouped.with("group-" + name, strings, new ChangeEventSerde()))
                    .aggregate(() -> null, (key, event, current) -> SourceRow.apply(current, event, projection),
                            Named.as("apply-" + name), stores.materialized(store, sourceRows)));
        }
        return changedRows(builder, events, "apply-" + name, "table-" + name, table, store,
                (current, event) -> SourceRow.apply(current, event, projection), joinedColumns(table, projection));
    }

    /**
     * The columns the joins read of a table whose joins read it directly ({@link #asJoinsRead} gives them no table of
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
}
