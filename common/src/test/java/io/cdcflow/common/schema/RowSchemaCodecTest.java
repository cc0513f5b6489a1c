package io.cdcflow.common.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowSchemaCodecTest {
    private static final SqlType MOOD = SqlTypes.enumOf(16385, "mood", List.of("sad", "ok"));
    private static final RowSchema ORDERS = RowSchema.table("public", "orders", 0x1A2B400L, List.of(
            new Column("id", SqlTypes.INT4, true),
            new Column("unit price", SqlTypes.numeric(12, 2), true),
            new Column("tags", SqlTypes.arrayOf(SqlTypes.varchar(10), 1015), false),
            new Column("mood", MOOD, false),
            new Column("amount", SqlTypes.domainOf(16390, "positive_amount", SqlTypes.numeric(10, 2)), false)), List.of("id"));

    @Test
    void aSchemaRoundTripsThroughItsJson() {
        byte[] json = RowSchemaCodec.bytes(ORDERS);
        RowSchema back = RowSchemaCodec.read(json);
        assertThat(back).isEqualTo(ORDERS);
        assertThat(back.id()).isEqualTo(ORDERS.id()).hasSize(16);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"lsn\":\"0/1A2B400\"", "\"precision\":12", "\"scale\":2", "\"labels\":[\"sad\",\"ok\"]",
                "\"length\":10", "\"id\":\"" + ORDERS.id() + "\"");
    }

    @Test
    void theIdChangesWithAnythingInTheSchemaAndTheShapeDoesNotDependOnThePosition() {
        assertThat(ORDERS.at(1).id()).isNotEqualTo(ORDERS.id());
        assertThat(ORDERS.at(1).sameShape(ORDERS)).isTrue();
        RowSchema nullablePrice = RowSchema.table("public", "orders", ORDERS.lsn(), List.of(ORDERS.columns().get(0),
                ORDERS.columns().get(1).nullable(), ORDERS.columns().get(2), ORDERS.columns().get(3), ORDERS.columns().get(4)), List.of("id"));
        assertThat(nullablePrice.id()).isNotEqualTo(ORDERS.id());
        assertThat(nullablePrice.sameShape(ORDERS)).isFalse();
    }

    @Test
    void typesSayWhatTheyAre() {
        assertThat(ORDERS.column("tags").orElseThrow().type().kind()).isEqualTo(SqlType.Kind.ARRAY);
        assertThat(ORDERS.column("amount").orElseThrow().type().resolved().numericScale()).isEqualTo(2);
        assertThat(SqlTypes.numeric(5, -2).numericScale()).isEqualTo(-2);
        assertThat(ORDERS.subject()).isEqualTo("public.orders");
        assertThat(RowSchema.fact("order_fact", 1, List.of(), List.of()).subject()).isEqualTo("order_fact");
    }

    @Test
    void somethingElseIsRefusedClearly() {
        assertThatThrownBy(() -> RowSchemaCodec.read("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a cdcflow row schema");
    }
}
