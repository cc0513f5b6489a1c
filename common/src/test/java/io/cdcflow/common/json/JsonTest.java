package io.cdcflow.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();

    @Test
    void objectTextIsWhatJacksonWritesForEveryKindOfValue() {
        List<JsonNode> values = List.of(NODES.numberNode(42), NODES.numberNode(-7L), NODES.numberNode(Long.MIN_VALUE),
                NODES.numberNode((short) 3), NODES.numberNode(new BigInteger("123456789012345678901234567890")),
                NODES.numberNode(new BigDecimal("1.50")), NODES.numberNode(new BigDecimal("1E+3")), NODES.numberNode(2.5d),
                NODES.textNode("plain"), NODES.textNode(""), NODES.textNode("é ü \u20ac \ud83d\ude00"), NODES.textNode("a\"b"),
                NODES.textNode("back\\slash"), NODES.textNode("new\nline\t\u0001"), NODES.textNode("\u007f/</"),
                NODES.booleanNode(true), NODES.nullNode(), Json.read("{\"a\":[1]}"));
        Random random = new Random(11);
        for (int n = 0; n < 2_000; n++) {
            int size = 1 + random.nextInt(3);
            String[] names = new String[size];
            JsonNode[] row = new JsonNode[size];
            ObjectNode expected = Json.object();
            for (int i = 0; i < size; i++) {
                names[i] = List.of("id", "order_id", "naïve", "we\"ird", "c" + i).get(random.nextInt(5)) + i;
                row[i] = random.nextInt(20) == 0 ? null : values.get(random.nextInt(values.size()));
                expected.set(names[i], row[i]);
            }
            assertThat(Json.objectText(names, row)).isEqualTo(expected.toString());
        }
    }
}
