package io.cdcflow.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEventCodecTest {

    private static ChangeEvent orderUpdate() {
        ObjectNode key = Json.object().put("id", 42);
        ObjectNode payload = Json.object().put("id", 42).put("total", new BigDecimal("99.99")).put("status", "paid");
        EventMetadata meta = new EventMetadata("orders", "public", Operation.UPDATE, Lsn.parse("0/1A2B3C4"),
                Lsn.parse("0/1A2B400"), 3, 761, Instant.parse("2026-11-24T10:15:30.123456Z"), List.of("notes"), null);
        return new ChangeEvent(key, meta, payload, null);
    }

    @Test
    void valueFollowsTheContract() {
        JsonNode value = Json.read(ChangeEventCodec.valueBytes(orderUpdate()));
        JsonNode meta = value.get("_metadata");
        assertThat(meta.get("table").asText()).isEqualTo("orders");
        assertThat(meta.get("schema").asText()).isEqualTo("public");
        assertThat(meta.get("operation").asText()).isEqualTo("update");
        assertThat(meta.get("lsn").asText()).isEqualTo("0/1A2B3C4");
        assertThat(meta.get("lsn_int").asLong()).isEqualTo(0x1A2B3C4L);
        assertThat(meta.get("commit_lsn").asText()).isEqualTo("0/1A2B400");
        assertThat(meta.get("seq").asLong()).isEqualTo(3);
        assertThat(meta.get("xid").asLong()).isEqualTo(761);
        assertThat(meta.get("commit_ts").asText()).isEqualTo("2026-11-24T10:15:30.123456Z");
        assertThat(meta.get("unchanged_toast")).hasSize(1);
        assertThat(value.get("payload").get("total").decimalValue()).isEqualByComparingTo("99.99");
        assertThat(value.has("before")).isFalse();
        assertThat(new String(ChangeEventCodec.keyBytes(orderUpdate()))).isEqualTo("{\"id\":42}");
    }

    @Test
    void roundTripsExactly() {
        ChangeEvent event = orderUpdate();
        ChangeEvent back = ChangeEventCodec.fromRecord(ChangeEventCodec.keyBytes(event), ChangeEventCodec.valueBytes(event));
        assertThat(back).isEqualTo(event);
    }

    @Test
    void readsTheSeedsMinimalShape() {
        // What Redpanda Connect produced in the seed: no commit_lsn, no numbers, no key.
        String seed = "{\"_metadata\":{\"table\":\"orders\",\"operation\":\"insert\",\"lsn\":\"0/1A2B3C4\"},"
                + "\"payload\":{\"id\":1,\"customer_id\":123,\"total\":99.99,\"status\":\"pending\"}}";
        ChangeEvent event = ChangeEventCodec.fromRecord(null, seed.getBytes());
        assertThat(event.metadata().operation()).isEqualTo(Operation.INSERT);
        assertThat(event.metadata().commitLsn()).isEqualTo(event.metadata().lsn());
        assertThat(event.payload().get("total").decimalValue()).isEqualByComparingTo("99.99");
    }

    @Test
    void explainsWhatIsWrongWithABadEvent() {
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"payload\":{}}".getBytes()))
                .hasMessageContaining("_metadata");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"_metadata\":{\"table\":\"t\",\"operation\":\"upsert\",\"lsn\":\"0/1\"}}".getBytes()))
                .hasMessageContaining("upsert");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{not json".getBytes()))
                .isInstanceOf(Json.MalformedJsonException.class);
    }

    @Test
    void readsEachMetadataFieldAsATreeWouldWhateverItsShape() {
        String value = "{\"before\":{\"id\":1},\"extra\":{\"deep\":[1,{\"_metadata\":2}]},"
                + "\"_metadata\":{\"table\":\"stale\",\"operation\":\"insert\",\"lsn\":\"0/1\"},"
                + "\"_metadata\":{\"table\":\"orders\",\"schema\":7,\"operation\":\"UPDATE\",\"lsn\":\"0/10\",\"lsn_int\":\"16\","
                + "\"commit_lsn\":\"0/20\",\"commit_lsn_int\":33.9,\"seq\":\"5\",\"xid\":true,\"unknown\":{\"a\":[1]},"
                + "\"unchanged_toast\":[\"notes\",null,3],\"origin\":null,\"commit_ts\":null},"
                + "\"payload\":{\"id\":1,\"total\":1.50}}";
        ChangeEvent event = ChangeEventCodec.fromRecord("{\"id\":1}".getBytes(), value.getBytes());
        EventMetadata m = event.metadata();
        assertThat(m.table()).isEqualTo("orders"); // the last _metadata wins
        assertThat(m.schema()).isEqualTo("7");
        assertThat(m.operation()).isEqualTo(Operation.UPDATE);
        assertThat(m.lsn()).isEqualTo(Lsn.parse("0/10")); // a number's text is not a number: the text form is read
        assertThat(m.commitLsn()).isEqualTo(new Lsn(33));
        assertThat(m.seq()).isEqualTo(5);
        assertThat(m.xid()).isEqualTo(1);
        assertThat(m.unchangedToast()).containsExactly("notes", "null", "3");
        assertThat(m.origin()).isNull();
        assertThat(m.commitTs()).isNull();
        assertThat(event.payload().get("total").decimalValue()).isEqualTo(new BigDecimal("1.50"));
        assertThat(event.before()).isEqualTo(Json.object().put("id", 1));
        assertThat(event.key()).isEqualTo(Json.object().put("id", 1));

        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"_metadata\":{\"table\":[1],\"operation\":\"insert\",\"lsn\":\"0/1\"}}".getBytes()))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessage("_metadata.table is missing");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"_metadata\":{\"table\":\"t\",\"operation\":\"insert\",\"lsn\":\"x\"}}".getBytes()))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"_metadata\":[],\"payload\":{}}".getBytes()))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessage("change event has no _metadata object");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "[1]".getBytes()))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessage("change event is not a JSON object");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, new byte[0]))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessage("change event is not a JSON object");
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord(null, "{\"_metadata\":{\"table\":\"t\"".getBytes()))
                .isInstanceOf(Json.MalformedJsonException.class);
        assertThatThrownBy(() -> ChangeEventCodec.fromRecord("[1]".getBytes(), "{}".getBytes()))
                .isInstanceOf(ChangeEventCodec.InvalidEventException.class).hasMessageContaining("record key");
    }

    @Test
    void routesPerTableOrToOneTopic() {
        assertThat(TopicRouting.perTable("cdc").topicFor("public", "orders")).isEqualTo("cdc.public.orders");
        assertThat(TopicRouting.perTable("").topicFor("sales", "order")).isEqualTo("sales.order");
        assertThat(TopicRouting.single("cdc_events").topicFor("public", "orders")).isEqualTo("cdc_events");
    }

    @Test
    void theStreamedBytesAreTheTreeSerializedByteForByte() {
        ChangeEvent update = orderUpdate();
        ObjectNode before = Json.object().put("id", 41).putNull("status");
        EventMetadata snapshotRow = new EventMetadata("order", "sales", Operation.READ, Lsn.ZERO, new Lsn(-1L), 0, 0, null, List.of(), "pg_1");
        for (ChangeEvent event : List.of(update,
                new ChangeEvent(update.key(), update.metadata(), update.payload(), before),
                new ChangeEvent(Json.object(), snapshotRow, Json.object().put("note", "\"quoted\" \u00e9\n")
                        .put("big", new java.math.BigInteger("123456789012345678901234567890")).put("e", new BigDecimal("1E+3"))
                        .put("f", 1.5d).put("ok", true).putNull("none")
                        .set("tags", Json.read("[1,\"a\",[null,{\"x\":-2}]]")), null))) {
            assertThat(new String(ChangeEventCodec.valueBytes(event), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(Json.text(ChangeEventCodec.toValue(event)));
        }
    }

    @Test
    void commitTimesReadAsJavaTimeReadsThem() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_799L), random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            at = switch (random.nextInt(3)) { // Instant.toString writes 0, 3, 6 or 9 digits; others are valid too
                case 0 -> at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                case 1 -> at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                default -> at;
            };
            String text = at.toString();
            assertThat(ChangeEventCodec.instant(text)).as(text).isEqualTo(Instant.parse(text));
            String trimmed = text.replaceAll("(\\.\\d*?)0+Z$", "$1Z").replace(".Z", "Z"); // fewer fraction digits
            assertThat(ChangeEventCodec.instant(trimmed)).as(trimmed).isEqualTo(Instant.parse(trimmed));
        }
        for (String odd : List.of("2026-11-24T10:00:00+01:00", "+12026-01-01T00:00:00Z", "2024-02-29T23:59:59.5Z", "2026-12-31T23:59:60Z",
                "2026-11-24T24:00:00Z", "2026-11-24T10:00:00.Z")) {
            assertThat(ChangeEventCodec.instant(odd)).as(odd).isEqualTo(Instant.parse(odd));
        }
        for (String bad : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-24T10:00:00.1234567890Z", "2026-1a-24T10:00:00Z", "2026-11-24 10:00:00Z", "yesterday")) {
            assertThatThrownBy(() -> ChangeEventCodec.instant(bad)).as(bad).isInstanceOf(java.time.format.DateTimeParseException.class);
        }
    }
}
