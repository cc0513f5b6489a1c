package io.cdcflow.streams.facts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FunctionsTest {
    @Test
    void readmeListsExactlyTheDeclaredFunctions() throws Exception {
        String row = Files.readAllLines(Path.of("../README.md")).stream().filter(l -> l.startsWith("| select list |")).findFirst()
                .orElseThrow();
        String listed = row.substring(row.lastIndexOf(';') + 1).replaceAll("[`|]", "").trim();
        assertThat(listed).isEqualTo(String.join(", ", Functions.names()));
    }

    @Test
    void eachFunctionEvaluatesAsPostgresDoes() {
        FactPlan plan = new FactPlanner("public", DemoTables.schemas()::get).plan(FactsFile.parse("""
                CREATE VIEW f AS SELECT o.id, lower(o.status) AS l, upper(o.status) AS u, length(o.status) AS n,
                       char_length('héllo') AS c, abs(-o.total) AS a, abs(-o.id) AS ai, round(o.total, 1) AS r, round(o.total) AS r0,
                       round(2.5::float8) AS rf, concat(o.status, NULL, o.id) AS cc, round(o.total, NULL) AS rn, lower(NULL) AS ln
                FROM orders o;""", "test")).get(0);
        ObjectNode order = (ObjectNode) Json.read("{\"id\":3,\"customer_id\":1,\"total\":12.35,\"status\":\"MiXed\"}");
        JsonNode fact = FactRows.compute(plan, JoinedRows.root(new SourceRow(1, 0, false, order), 0)).columns();
        assertThat(fact.toString()).isEqualTo("{\"id\":3,\"l\":\"mixed\",\"u\":\"MIXED\",\"n\":5,\"c\":5,\"a\":12.35,\"ai\":3,"
                + "\"r\":12.4,\"r0\":12,\"rf\":2.0,\"cc\":\"MiXed3\",\"rn\":null,\"ln\":null}");
    }

    @Test
    void eachFunctionIsFoundByEveryOneOfItsNames() {
        assertThat(Functions.names()).containsExactly("lower", "upper", "length", "char_length", "abs", "round", "concat");
        assertThat(Functions.get("char_length")).isSameAs(Functions.get("length"));
        assertThat(Functions.get("sqrt")).isNull();
        assertThat(Functions.supported()).isEqualTo("COALESCE, NULLIF, lower, upper, length, char_length, abs, round, concat");
    }
}
