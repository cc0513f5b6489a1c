package io.cdcflow.writer.sink;

import io.cdcflow.common.ops.Backoff;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The writer's bookkeeping of "commit only what ClickHouse confirmed, in order", without a consumer or a server:
 * which offsets the rows read so far would commit, which partitions fed which table, and, when a table's INSERT fails,
 * which offsets may still be committed (partitions that fed none of the failed tables) and which partitions wait
 * before they are read again. A failing table holds back only the partitions that carry its rows; every other
 * partition keeps landing.
 */
final class CommitLedger {
    private final Backoff backoff;
    /** Read since the last flight: each partition's next offset, and the partitions each table's rows came from. */
    private Map<TopicPartition, Long> offsets = new HashMap<>();
    private Map<String, Set<TopicPartition>> sources = new HashMap<>();
    /** The last (partition, table) noted in {@link #sources} since it was new. */
    private TopicPartition lastPartition;
    private String lastTable;
    /** Per failing table, its current backoff. */
    private final Map<String, Duration> backoffs = new HashMap<>();
    /** Partitions held back, and the System.nanoTime() at which they are read again. */
    private final Map<TopicPartition, Long> heldUntil = new HashMap<>();

    CommitLedger(Backoff backoff) {
        this.backoff = backoff;
    }

    /**
     * A record was read and handled.
     *
     * @param table the table its row was added to, or null when it added none (dead-lettered, skipped, a truncate)
     */
    void read(TopicPartition partition, long offset, String table) {
        offsets.put(partition, offset + 1);
        if (table != null && (partition != lastPartition || !table.equals(lastTable))) {
            sources.computeIfAbsent(table, t -> new HashSet<>()).add(partition);
            lastPartition = partition; // runs of records from one partition into one table are noted once
            lastTable = table;
        }
    }

    boolean isEmpty() {
        return offsets.isEmpty();
    }

    /** The rows read so far go up in one flight: what landing it commits. */
    Flight takeOff() {
        Flight flight = new Flight(offsets, sources);
        offsets = new HashMap<>();
        sources = new HashMap<>();
        lastPartition = null;
        return flight;
    }

    /** Forgets what was read since the last flight: the consumer goes back to the committed offsets. */
    void forget() {
        offsets = new HashMap<>();
        sources = new HashMap<>();
        lastPartition = null;
    }

    /** Rows read and handed to ClickHouse together, and the offsets they complete. */
    record Flight(Map<TopicPartition, Long> offsets, Map<String, Set<TopicPartition>> sources) {
        /** The offsets to commit when {@code failed} tables did not land: those of partitions that fed none of them. */
        Map<TopicPartition, Long> committable(Collection<String> failed) {
            Set<TopicPartition> blocked = blocked(failed);
            Map<TopicPartition, Long> commit = new HashMap<>(offsets);
            commit.keySet().removeAll(blocked);
            return commit;
        }

        /** The partitions whose rows of {@code failed} tables did not land. */
        Set<TopicPartition> blocked(Collection<String> failed) {
            Set<TopicPartition> blocked = new HashSet<>();
            failed.forEach(t -> blocked.addAll(sources.getOrDefault(t, Set.of())));
            return blocked;
        }
    }

    /**
     * Tables of a flight failed: their partitions are held back for each table's backoff (doubling from the first
     * to the maximum while it keeps failing).
     *
     * @return the longest backoff applied
     */
    Duration failed(Flight flight, Collection<String> failed, long nowNanos) {
        Duration longest = Duration.ZERO;
        for (String table : failed) {
            Duration pause = backoffs.merge(table, backoff.first(), (previous, first) -> backoff.after(previous));
            long until = nowNanos + pause.toNanos();
            for (TopicPartition partition : flight.sources().getOrDefault(table, Set.of())) {
                heldUntil.merge(partition, until, Math::max);
            }
            longest = pause.compareTo(longest) > 0 ? pause : longest;
        }
        return longest;
    }

    /** A table landed: its backoff starts over. */
    void landed(String table) {
        backoffs.remove(table);
    }

    /** True while the table failed last time it was written. */
    boolean failing(String table) {
        return backoffs.containsKey(table);
    }

    Set<String> failingTables() {
        return backoffs.keySet();
    }

    /** The partitions held back right now. */
    Set<TopicPartition> held() {
        return heldUntil.keySet();
    }

    /** The held partitions whose wait is over, released: the caller resumes them. */
    Set<TopicPartition> release(long nowNanos) {
        Set<TopicPartition> due = new HashSet<>();
        heldUntil.entrySet().removeIf(e -> {
            if (e.getValue() - nowNanos <= 0) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        return due;
    }

    /** Partitions that went to another writer are no longer held here. */
    void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(heldUntil::remove);
    }
}
