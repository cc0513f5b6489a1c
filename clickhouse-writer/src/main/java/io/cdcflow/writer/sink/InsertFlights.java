package io.cdcflow.writer.sink;

import io.cdcflow.common.ops.Metrics;
import io.cdcflow.writer.batch.TableBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The INSERTs of a flush, on a thread of their own: the loop reads and encodes the next batch while ClickHouse parses
 * this one. Each table is inserted on its own, so one table's failure keeps the others' rows landing; a batch
 * ClickHouse refuses for what is in it (not for its own state) is split in halves down to the rows it refuses one by
 * one, which come back for the dead-letter topic while the rest land.
 *
 * <p>Rows read again that may have landed already (after an INSERT whose outcome is unknown, or from partitions
 * another writer held) are written through {@link Destination#insertMissing}, which leaves out those that did.
 */
final class InsertFlights implements AutoCloseable {
    /** A row ClickHouse refused on its own, as the line it was sent as, with the record it came from. */
    record Rejected(String table, String source, byte[] line, String error) {
    }

    /** One table's INSERT in a flight: the rows ClickHouse refused, or the failure that kept all of them out. */
    record Outcome(List<Rejected> rejected, ClickHouse.ClickHouseException failure) {
    }

    /** INSERTs handed to ClickHouse (table to batch), each table's outcome, and what landing them commits. */
    record Flight(Future<Map<String, Outcome>> done, CommitLedger.Flight offsets, Map<String, TableBatch> batches) {
    }

    private final Destination destination;
    private final String database;
    private final Metrics.Counter insertMillis;
    private final Metrics.Counter leftOut;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "writer-insert");
        t.setDaemon(true);
        return t;
    });

    InsertFlights(Destination destination, String database, Metrics metrics) {
        this.destination = destination;
        this.database = database;
        this.insertMillis = metrics.counter("writer_insert_milliseconds_total", "Time spent in INSERTs", "table");
        this.leftOut = metrics.counter("writer_rows_already_landed_total",
                "Rows read again after an INSERT of unknown outcome or a restart, left out because ClickHouse held them", "table");
    }

    /**
     * Starts the INSERTs of {@code batches}, whose landing commits {@code offsets}; returns at once. The batches of
     * {@code readAgain} tables hold rows that may have landed already.
     */
    Flight launch(Map<String, TableBatch> batches, CommitLedger.Flight offsets, java.util.Set<String> readAgain) {
        Future<Map<String, Outcome>> done = thread.submit(() -> {
            Map<String, Outcome> outcomes = new LinkedHashMap<>();
            batches.forEach((table, batch) -> {
                long started = System.nanoTime();
                try {
                    outcomes.put(table, new Outcome(insertOrSplit(table, batch, 0, batch.rows(), readAgain.contains(table)), null));
                } catch (ClickHouse.ClickHouseException e) {
                    outcomes.put(table, new Outcome(List.of(), e)); // the other tables are still written
                }
                insertMillis.add((System.nanoTime() - started) / 1_000_000, table);
            });
            return outcomes;
        });
        return new Flight(done, offsets, batches);
    }

    /** Waits for a flight: each table's outcome. */
    static Map<String, Outcome> await(Flight flight) {
        try {
            return flight.done().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    /**
     * Inserts lines {@code from} to {@code to} of a batch. When ClickHouse refuses the data (not when it fails), the
     * lines are split in halves and each half inserted on its own, down to the rows it refuses one by one, which are
     * returned for the dead-letter topic; the rest land. A failure that is not about the data is thrown: the table's
     * rows are written again later, from the partitions that carried them.
     */
    private List<Rejected> insertOrSplit(String table, TableBatch batch, int from, int to, boolean readAgain) {
        try {
            if (readAgain) {
                leftOut.add(destination.insertMissing(table, batch, from, to), table);
            } else {
                destination.insert(table, batch.columns(), from == 0 && to == batch.rows() ? batch.stream() : batch.stream(from, to));
            }
            return List.of();
        } catch (ClickHouse.ClickHouseException e) {
            if (!e.rejectsData()) {
                throw e;
            }
            if (to - from == 1) {
                return List.of(new Rejected(table, batch.source(from), batch.line(from), "ClickHouse refused the row for "
                        + database + "." + table + " (code " + e.serverCode() + "): " + e.getMessage()));
            }
            int middle = (from + to) >>> 1;
            List<Rejected> rejected = new ArrayList<>(insertOrSplit(table, batch, from, middle, readAgain));
            rejected.addAll(insertOrSplit(table, batch, middle, to, readAgain));
            return rejected;
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
