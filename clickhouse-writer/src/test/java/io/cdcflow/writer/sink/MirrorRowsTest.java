package io.cdcflow.writer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class MirrorRowsTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final TableSchema BRANCHES = new TableSchema("branches", RowSchema.table("public", "branches", 1, List.of(
            new Column("id", SqlTypes.INT4, true), new Column("balance", SqlTypes.INT8, false), new Column("notes", SqlTypes.TEXT, false)),
            List.of("id")), OLD, "UInt64");

    private final MirrorRows rows = new MirrorRows();
    private final RowEncoder encoder = new RowEncoder(OLD);
    private final List<List<MirrorRows.Missing>> lookups = new ArrayList<>();
    private long offset;

    /** ClickHouse holds notes "stored <id>" for every key. */
    private final MirrorRows.ToastLookup clickhouse = (schema, missing) -> {
        lookups.add(missing);
        return missing.stream().map(m -> (ObjectNode) Json.object().put("notes", "stored " + m.key().get("id").asText())).toList();
    };

    private void change(Operation operation, int id, Long balance, String notes, long lsn) {
        ObjectNode row = Json.object().put("id", id).put("balance", balance);
        if (notes != null) {
            row.put("notes", notes);
        }
        ChangeEvent event = ChangeEvent.ofRow("branches", operation, row, lsn, 0, notes == null ? List.of("notes") : List.of());
        byte[] key = ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
        rows.add(BRANCHES, event, BigInteger.valueOf(lsn), new ConsumerRecord<>("cdc.public.branches", 0, offset++, key, new byte[40]));
    }

    private List<String> drain() {
        TableBatch batch = new TableBatch();
        assertThat(rows.drain("branches", batch, encoder, clickhouse)).isEmpty();
        return new String(batch.content(), StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aHotKeyKeepsOnlyItsNewestChangeAndDoesNotShrinkTheBatch() {
        for (int i = 0; i < 1000; i++) {
            change(Operation.UPDATE, i % 10 + 1, (long) i, "n", 100 + i / 20); // twenty changes of a key share each version
        }
        assertThat(rows.rows("branches")).isEqualTo(10);
        assertThat(rows.bytes("branches")).as("what the batch limits count: every record read").isEqualTo(40_000);
        List<String> lines = drain();
        assertThat(lines).hasSize(10);
        // the newest change of each key, in the order the keys last changed; equal versions: the last one
        assertThat(lines.get(0)).isEqualTo("1\t990\tn\t149\t0");
        assertThat(lines.get(9)).isEqualTo("10\t999\tn\t149\t0");
        assertThat(rows.isEmpty()).isTrue();
    }

    @Test
    void aDeleteReplacesTheKeysEarlierChanges() {
        change(Operation.INSERT, 1, 5L, "a", 10);
        change(Operation.DELETE, 1, null, "a", 11);
        change(Operation.INSERT, 2, 6L, "b", 11);
        assertThat(drain()).containsExactly("1\t\\N\ta\t11\t1", "2\t6\tb\t11\t0");
    }

    @Test
    void anUnchangedToastedValueComesFromTheKeysEarlierChangeInTheBatchWithoutALookUp() {
        change(Operation.UPDATE, 1, 1L, "resent", 10);
        change(Operation.UPDATE, 1, 2L, null, 11);
        change(Operation.UPDATE, 1, 3L, null, 12);
        assertThat(drain()).containsExactly("1\t3\tresent\t12\t0");
        assertThat(lookups).isEmpty();
    }

    @Test
    void otherUnchangedToastedValuesAreLookedUpOncePerBatch() {
        for (int id = 1; id <= 300; id++) {
            change(Operation.UPDATE, id, (long) id, id % 2 == 0 ? "new " + id : null, 10);
        }
        List<String> lines = drain();
        assertThat(lookups).hasSize(1);
        assertThat(lookups.get(0)).hasSize(150).allSatisfy(m -> assertThat(m.columns()).containsExactly("notes"));
        assertThat(lines).hasSize(300).contains("1\t1\tstored 1\t10\t0", "2\t2\tnew 2\t10\t0", "299\t299\tstored 299\t10\t0");
    }

    @Test
    void aRowTheColumnTypesRefuseIsReturnedForTheDeadLetterTopicAndTheOthersGoOn() {
        ChangeEvent bad = ChangeEvent.ofRow("branches", Operation.UPDATE, Json.object().put("id", 3).put("balance", "lots"), 10, 0);
        rows.add(BRANCHES, bad, BigInteger.TEN, new ConsumerRecord<>("cdc.public.branches", 1, 42, "{\"id\":3}".getBytes(StandardCharsets.UTF_8),
                new byte[1]));
        change(Operation.UPDATE, 4, 4L, "d", 10);
        TableBatch batch = new TableBatch();
        List<MirrorRows.Refused> refused = rows.drain("branches", batch, encoder, clickhouse);
        assertThat(refused).singleElement().satisfies(r -> {
            assertThat(r.record().offset()).isEqualTo(42);
            assertThat(r.error()).contains("branches.balance");
        });
        assertThat(batch.rows()).isEqualTo(1);
        assertThat(batch.source(0)).isEqualTo("cdc.public.branches[0]@0");
    }
}
