package io.cdcflow.writer.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.io.GrowableBytes;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.schema.ReplacingMergeTreeDdl;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An INSERT written again after a try whose outcome is unknown (the connection cut after ClickHouse took the data, a
 * timeout, a writer stopped between an INSERT and its commit) leaves out the rows that landed, so retries never write
 * a row twice, on a single server as on a cluster, on servers without {@code insert_deduplication_token}.
 *
 * <p>The batch is parsed into a memory table on the server, and each row compared (key, version, every value) with the
 * row {@code FINAL} shows for its key. Rows of one key arrive in order from one partition, and what landed of them is a
 * prefix: for each key, the rows up to the last one {@code FINAL} shows are left out, the rest written in order. Leaving
 * out a row that is not a landed one but equal to the shown one, or older, changes nothing {@code FINAL} shows; writing
 * again a landed row older than the shown one could make it the last written of its version, so it is left out too.
 */
final class RetriedInserts {
    private static final Logger LOG = LoggerFactory.getLogger(RetriedInserts.class);
    private final ClickHouse clickhouse;
    private final Supplier<ReplacingMergeTreeDdl> ddl;
    private final String writer;

    RetriedInserts(ClickHouse clickhouse, Supplier<ReplacingMergeTreeDdl> ddl, String writer) {
        this.clickhouse = clickhouse;
        this.ddl = ddl;
        this.writer = writer;
    }

    /** Writes lines {@code from} to {@code to} of the batch but those the table holds already; returns how many it left out. */
    int insertMissing(TableSchema schema, TableBatch batch, int from, int to) {
        ReplacingMergeTreeDdl sql = ddl.get();
        String table = schema.table();
        String retry = ReplacingMergeTreeDdl.retryTable(table, writer);
        clickhouse.execute(sql.dropRetryTable(retry));
        clickhouse.execute(sql.createRetryTable(table, retry));
        try {
            clickhouse.insert(sql.insertTarget(retry, batch.columns()), batch.stream(from, to));
            if (clickhouse.query(sql.anyKeyLanded(schema, retry)).get(0).get("n").asLong() == 0) {
                clickhouse.insert(sql.insertTarget(table, batch.columns()), batch.stream(from, to));
                return 0;
            }
            List<JsonNode> shown = clickhouse.query(sql.rowsShownByFinal(schema, retry, batch.columns()));
            boolean[] landed = new boolean[to - from];
            if (shown.size() != landed.length) { // never seen; writing them all again duplicates rows, loses none
                LOG.warn("{}: {} rows compared for {} sent; writing them all again", table, shown.size(), landed.length);
            } else {
                for (int i = 0; i < landed.length; i++) {
                    landed[i] = shown.get(i).get(".cdcflow.shown").asInt() == 1;
                }
            }
            boolean[] write = rowsToWrite(batch, from, to, keyPositions(schema, batch.columns()), landed);
            GrowableBytes rows = new GrowableBytes(64 * 1024);
            int left = 0;
            for (int i = from; i < to; i++) {
                if (write[i - from]) {
                    byte[] line = batch.line(i);
                    rows.write(line, 0, line.length);
                } else {
                    left++;
                }
            }
            if (rows.length() > 0) {
                clickhouse.insert(sql.insertTarget(table, batch.columns()), rows.stream());
            }
            LOG.info("{}: {} of {} rows retried were there already, {} written", table, left, to - from, to - from - left);
            return left;
        } finally {
            try {
                clickhouse.execute(sql.dropRetryTable(retry));
            } catch (RuntimeException e) {
                LOG.debug("{} stays until the next retry: {}", retry, e.getMessage());
            }
        }
    }

    private static int[] keyPositions(TableSchema schema, List<String> columns) {
        return schema.keyColumns().stream().mapToInt(columns::indexOf).toArray();
    }

    /**
     * Which lines to write, given whether each equals the row {@code FINAL} shows for its key: for each key, none up to
     * its last shown line, every one after it.
     */
    static boolean[] rowsToWrite(TableBatch batch, int from, int to, int[] keyPositions, boolean[] shown) {
        String[] keys = new String[to - from];
        Map<String, Integer> lastShown = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(batch.line(from + i), keyPositions);
            if (shown[i]) {
                lastShown.put(keys[i], i);
            }
        }
        boolean[] write = new boolean[keys.length];
        for (int i = 0; i < keys.length; i++) {
            Integer last = lastShown.get(keys[i]);
            write[i] = last == null || i > last;
        }
        return write;
    }

    /** The key fields of a TabSeparated line, as sent (a tab inside a value is escaped, so tabs separate fields). */
    static String key(byte[] line, int[] positions) {
        String[] fields = new String(line, StandardCharsets.UTF_8).split("\t", -1);
        StringBuilder key = new StringBuilder();
        for (int position : positions) {
            String field = fields[position];
            key.append(field.endsWith("\n") ? field.substring(0, field.length() - 1) : field).append('\t');
        }
        return key.toString();
    }
}
