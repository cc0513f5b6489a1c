package io.cdcflow.writer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlTypes;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * A facts export chunk in COPY's text lands exactly as the same rows in the change events' JSON would: the two forms
 * side by side, for every type the export sends as text, on an old and a current server.
 */
class ExportChunksTest {
    private static final ServerInfo OLD = ServerInfo.parse("18.16.1");
    private static final ServerInfo CURRENT = ServerInfo.parse("25.8.1");
    private static final RowSchema FACT = RowSchema.fact("typed_fact", 1, List.of(
            new Column("id", SqlTypes.INT4, true),
            new Column("small", SqlTypes.INT2, false),
            new Column("big", SqlTypes.INT8, false),
            new Column("price", SqlTypes.numeric(10, 2), false),
            new Column("amount", SqlTypes.NUMERIC, false),
            new Column("ratio", SqlTypes.FLOAT8, false),
            new Column("paid", SqlTypes.BOOL, false),
            new Column("note", SqlTypes.TEXT, false),
            new Column("code", SqlTypes.varchar(20), false),
            new Column("at", SqlTypes.TIMESTAMPTZ, false),
            new Column("local", SqlTypes.TIMESTAMP, false),
            new Column("day", SqlTypes.DATE, false),
            new Column("ref", SqlTypes.UUID, false),
            new Column("must", SqlTypes.INT4, true)), List.of("id"));
    private static final String COLUMNS = "[\"id\",\"small\",\"big\",\"price\",\"amount\",\"ratio\",\"paid\",\"note\",\"code\",\"at\","
            + "\"local\",\"day\",\"ref\",\"must\"]";

    private record Landed(String tsv, List<String> refused) {
    }

    private static Landed land(ServerInfo server, RecordHeaders headers, String chunk) {
        TableSchema schema = new TableSchema(FACT.name(), FACT, server, "UInt64");
        TableBatch batch = new TableBatch();
        List<String> refused = new ArrayList<>();
        new ExportChunks(new RowEncoder(server)).encode(schema, headers, chunk.getBytes(StandardCharsets.UTF_8), batch, () -> { },
                (row, message) -> refused.add(new String(row, StandardCharsets.UTF_8) + " => " + message));
        return new Landed(new String(batch.content(), StandardCharsets.UTF_8), refused);
    }

    private static RecordHeaders headers(boolean copyText) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FactsExport.FACT_HEADER, "typed_fact".getBytes(StandardCharsets.UTF_8));
        headers.add(FactsExport.LSN_HEADER, "123456789".getBytes(StandardCharsets.US_ASCII));
        if (copyText) {
            headers.add(FactsExport.COLUMNS_HEADER, COLUMNS.getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    /** The same rows: PostgreSQL's COPY text (UTC, ISO dates), and the JSON the wal-producer's value mapper makes of it. */
    private static final String COPY = String.join("\n",
            "1\t-32768\t9223372036854775807\t12.50\t-0.000000000000000001\t0.1\tt\tzoë\ttab\\there\t2026-12-29 21:18:48.123456+00\t"
                    + "2026-02-03 04:05:06\t2026-12-31\t0b7e4f2c-9a3d-4e8b-8f21-5c6d7e8f9a0b\t7",
            "2\t\\N\t-9223372036854775808\t\\N\t100\tNaN\tf\tback\\\\slash \\\\N nl\\n cr\\r bs\\b ff\\f vt\\v\t\\N\t2026-11-24 10:00:00+00\t"
                    + "infinity\t-infinity\t\\N\t8",
            "3\t\\N\t\\N\t\\N\t\\N\t-Infinity\t\\N\t\\\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t9",
            "");
    private static final String JSON = String.join("\n",
            "{\"id\":1,\"small\":-32768,\"big\":9223372036854775807,\"price\":12.50,\"amount\":-0.000000000000000001,\"ratio\":0.1,"
                    + "\"paid\":true,\"note\":\"zoë\",\"code\":\"tab\\there\",\"at\":\"2026-12-29T21:18:48.123456Z\","
                    + "\"local\":\"2026-02-03T04:05:06\",\"day\":\"2026-12-31\",\"ref\":\"0b7e4f2c-9a3d-4e8b-8f21-5c6d7e8f9a0b\","
                    + "\"must\":7,\"_version\":123456789,\"_deleted\":0}",
            "{\"id\":2,\"small\":null,\"big\":-9223372036854775808,\"price\":null,\"amount\":100,\"ratio\":\"NaN\",\"paid\":false,"
                    + "\"note\":\"back\\\\slash \\\\N nl\\n cr\\r bs\\b ff\\f vt\\u000b\",\"code\":null,\"at\":\"2026-11-24T10:00:00Z\","
                    + "\"local\":\"infinity\",\"day\":\"-infinity\",\"ref\":null,\"must\":8,\"_version\":123456789,\"_deleted\":0}",
            "{\"id\":3,\"small\":null,\"big\":null,\"price\":null,\"amount\":null,\"ratio\":\"-Infinity\",\"paid\":null,\"note\":\"\\\\N\","
                    + "\"code\":null,\"at\":null,\"local\":null,\"day\":null,\"ref\":null,\"must\":9,\"_version\":123456789,\"_deleted\":0}",
            "");

    @Test
    void copyTextLandsAsTheSameRowsInJsonWouldOnEveryServer() {
        for (ServerInfo server : List.of(OLD, CURRENT)) {
            Landed copy = land(server, headers(true), COPY);
            Landed json = land(server, headers(false), JSON);
            assertThat(copy.refused()).isEmpty();
            assertThat(json.refused()).isEmpty();
            assertThat(copy.tsv()).isEqualTo(json.tsv());
            assertThat(copy.tsv().split("\n")).hasSize(3);
        }
        assertThat(land(OLD, headers(true), COPY).tsv()).startsWith("1\t-32768\t9223372036854775807\t12.50\t-0.000000000000000001\t0.1\t1\t"
                + "zoë\ttab\\there\t2026-12-29 21:18:48\t2026-02-03 04:05:06\t2026-12-31\t0b7e4f2c-9a3d-4e8b-8f21-5c6d7e8f9a0b\t7\t123456789\t0\n");
    }

    @Test
    void timestampsTakeClickHousesFormWhetherCommonOrNot() {
        RecordHeaders headers = headers(false);
        headers.add(FactsExport.COLUMNS_HEADER, "[\"id\",\"at\",\"local\",\"must\"]".getBytes(StandardCharsets.UTF_8));
        String chunk = "1\t2026-11-24 10:00:00.5+00\t2104-12-28 23:59:59.123456\t1\n"
                + "2\t1970-01-01 00:00:00+00\t2024-02-29 12:00:00\t2\n"
                + "3\t2026-11-24 12:00:00+02\t2026-12-31 23:59:59.999999\t3\n";
        String nulls = "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t";
        assertThat(land(CURRENT, headers, chunk).tsv()).isEqualTo(
                "1" + nulls + "2026-11-24 10:00:00.500000\t2104-12-28 23:59:59.123456\t\\N\t\\N\t1\t123456789\t0\n"
                + "2" + nulls + "1970-01-01 00:00:00.000000\t2024-02-29 12:00:00.000000\t\\N\t\\N\t2\t123456789\t0\n"
                + "3" + nulls + "2026-11-24 10:00:00.000000\t2026-12-31 23:59:59.999999\t\\N\t\\N\t3\t123456789\t0\n");
        assertThat(land(OLD, headers, chunk).tsv()).isEqualTo(
                "1" + nulls + "2026-11-24 10:00:00\t2104-12-28 23:59:59\t\\N\t\\N\t1\t123456789\t0\n"
                + "2" + nulls + "1970-01-02 00:00:00\t2024-02-29 12:00:00\t\\N\t\\N\t2\t123456789\t0\n"
                + "3" + nulls + "2026-11-24 10:00:00\t2026-12-31 23:59:59\t\\N\t\\N\t3\t123456789\t0\n");
    }

    @Test
    void aColumnTheTableLacksIsSkippedAndOneTheChunkLacksIsNull() {
        RecordHeaders headers = headers(false);
        headers.add(FactsExport.COLUMNS_HEADER, "[\"must\",\"gone\",\"id\",\"note\"]".getBytes(StandardCharsets.UTF_8));
        Landed landed = land(OLD, headers, "5\tdropped since\t4\thello\n");
        assertThat(landed.refused()).isEmpty();
        assertThat(landed.tsv()).isEqualTo("4\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\thello\t\\N\t\\N\t\\N\t\\N\t\\N\t5\t123456789\t0\n");
    }

    @Test
    void aRowThatDoesNotFitIsRefusedAloneNamingItsLineAndColumn() {
        String chunk = "1\t70000\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t1\n"
                + "2\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n"
                + "3\t\\N\t\\N\t123456789.5\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t3\n"
                + "4\t\\N\t\\N\n"
                + "5\t\\N\t\\N\t\\N\t\\N\t\\N\tyes\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t5\n"
                + "6\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t6\n";
        Landed landed = land(OLD, headers(true), chunk);
        assertThat(landed.tsv()).startsWith("6\t").hasLineCount(1);
        assertThat(landed.refused()).hasSize(5);
        assertThat(landed.refused().get(0)).endsWith("column typed_fact.small (Nullable(Int16)): expected a whole number that fits Int16, "
                + "got 70000 (line 1 of a facts export chunk)");
        assertThat(landed.refused().get(1)).contains("column typed_fact.must (Int32) is NOT NULL").endsWith("(line 2 of a facts export chunk)");
        assertThat(landed.refused().get(2)).contains("typed_fact.price (Nullable(Decimal(10, 2)))").endsWith("(line 3 of a facts export chunk)");
        assertThat(landed.refused().get(3)).contains("COPY row has 3 values, the chunk's columns are 14");
        assertThat(landed.refused().get(4)).contains("typed_fact.paid").contains("expected t or f, got \"yes\"");
    }

    @Test
    void aChunkWhoseColumnsCannotBeReadIsRefusedWhole() {
        RecordHeaders headers = headers(false);
        headers.add(FactsExport.COLUMNS_HEADER, "{\"id\":1}".getBytes(StandardCharsets.UTF_8));
        Landed landed = land(OLD, headers, "1\n2\n");
        assertThat(landed.tsv()).isEmpty();
        assertThat(landed.refused()).containsExactly("1\n2\n => facts export chunk for typed_fact cannot be read: its columns header is not a "
                + "JSON array of names");
    }
}
