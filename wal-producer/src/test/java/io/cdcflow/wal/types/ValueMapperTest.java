package io.cdcflow.wal.types;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ValueMapperTest {
    private final PgTypeRegistry types = new PgTypeRegistry();
    private final ValueMapper mapper = new ValueMapper(types);

    private String json(int oid, String text) {
        return mapper.map(oid, text).toString();
    }

    @Test
    void integersAndExactDecimals() {
        assertThat(json(PgTypeRegistry.INT2, "-7")).isEqualTo("-7");
        assertThat(json(PgTypeRegistry.INT8, "9223372036854775807")).isEqualTo("9223372036854775807");
        assertThat(json(PgTypeRegistry.NUMERIC, "12345678901234567890.123456789")).isEqualTo("12345678901234567890.123456789");
        assertThat(json(PgTypeRegistry.NUMERIC, "0.10")).isEqualTo("0.10");
        assertThat(json(PgTypeRegistry.NUMERIC, "NaN")).isEqualTo("\"NaN\"");
    }

    @Test
    void floatsWithSpecialValues() {
        assertThat(json(PgTypeRegistry.FLOAT8, "3.141592653589793")).isEqualTo("3.141592653589793");
        assertThat(json(PgTypeRegistry.FLOAT4, "NaN")).isEqualTo("\"NaN\"");
        assertThat(json(PgTypeRegistry.FLOAT8, "-Infinity")).isEqualTo("\"-Infinity\"");
    }

    @Test
    void textLikeTypesBooleansAndUuid() {
        assertThat(json(PgTypeRegistry.BOOL, "t")).isEqualTo("true");
        assertThat(json(PgTypeRegistry.BOOL, "f")).isEqualTo("false");
        assertThat(json(PgTypeRegistry.BPCHAR, "ab  ")).isEqualTo("\"ab  \"");
        assertThat(json(PgTypeRegistry.TEXT, "zoë \"q\"")).isEqualTo("\"zoë \\\"q\\\"\"");
        assertThat(json(PgTypeRegistry.UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).isEqualTo("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
    }

    @Test
    void datesAndTimesAsIso8601() {
        assertThat(json(PgTypeRegistry.DATE, "2026-11-24")).isEqualTo("\"2026-11-24\"");
        assertThat(json(PgTypeRegistry.TIME, "10:15:30.5")).isEqualTo("\"10:15:30.5\"");
        assertThat(json(PgTypeRegistry.TIMESTAMP, "2026-11-24 10:15:30.123456")).isEqualTo("\"2026-11-24T10:15:30.123456\"");
        assertThat(json(PgTypeRegistry.TIMESTAMPTZ, "2026-11-24 10:15:30.123456+00")).isEqualTo("\"2026-11-24T10:15:30.123456Z\"");
        assertThat(json(PgTypeRegistry.TIMESTAMPTZ, "2026-11-24 12:15:30+05:30")).isEqualTo("\"2026-11-24T06:45:30Z\"");
        assertThat(json(PgTypeRegistry.TIMESTAMPTZ, "infinity")).isEqualTo("\"infinity\"");
        assertThat(json(PgTypeRegistry.INTERVAL, "P1Y2M3DT4H5M6S")).isEqualTo("\"P1Y2M3DT4H5M6S\"");
    }

    @Test
    void jsonIsEmbeddedAndByteaIsBase64() {
        JsonNode node = mapper.map(PgTypeRegistry.JSONB, "{\"a\": [1, 2.50, null]}");
        assertThat(node.isObject()).isTrue();
        assertThat(node.toString()).isEqualTo("{\"a\":[1,2.50,null]}");
        assertThat(json(PgTypeRegistry.BYTEA, "\\xdeadbeef")).isEqualTo("\"3q2+7w==\"");
    }

    @Test
    void arraysEnumsDomainsAndNull() {
        assertThat(json(1007, "{1,2,NULL}")).isEqualTo("[1,2,null]");
        assertThat(json(1009, "{\"a b\",\"c\\\"d\",NULL,\"NULL\"}")).isEqualTo("[\"a b\",\"c\\\"d\",null,\"NULL\"]");
        assertThat(json(1007, "{{1,2},{3,4}}")).isEqualTo("[[1,2],[3,4]]");
        assertThat(json(1007, "{}")).isEqualTo("[]");
        assertThat(json(1231, "[0:1]={1.5,2.25}")).isEqualTo("[1.5,2.25]");
        types.register(new PgType(90001, "mood", 'E', 0, 0));
        types.register(new PgType(90002, "_mood", 'A', 90001, 0));
        types.register(new PgType(90003, "positive_int", 'N', 0, PgTypeRegistry.INT4));
        assertThat(json(90001, "happy")).isEqualTo("\"happy\"");
        assertThat(json(90002, "{happy,sad}")).isEqualTo("[\"happy\",\"sad\"]");
        assertThat(json(90003, "42")).isEqualTo("42");
        assertThat(json(PgTypeRegistry.INT4, null)).isEqualTo("null");
        assertThat(json(424242, "unknown type text")).isEqualTo("\"unknown type text\"");
    }

    @Test
    void utcTimestampsAreRewrittenExactlyAsJavaTimePrintsThem() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 20_000; i++) {
            java.time.Instant instant = java.time.Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000) * 1000);
            // PostgreSQL's form: microseconds without trailing zeros, then the +00 of a UTC session.
            String micros = String.format("%06d", instant.getNano() / 1000).replaceAll("0+$", "");
            String pg = instant.toString().substring(0, 19).replace('T', ' ') + (micros.isEmpty() ? "" : "." + micros) + "+00";
            assertThat(ValueMapper.utcWithoutParsing(pg)).as(pg).isEqualTo(instant.toString());
        }
        assertThat(ValueMapper.utcWithoutParsing("2026-11-24 12:15:30+05:30")).isNull();
        assertThat(ValueMapper.utcWithoutParsing("12026-11-24 12:15:30+00")).isNull();
    }
}
