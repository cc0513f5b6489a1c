package io.cdcflow.streams.facts;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.streams.model.Projection;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProjectionsTest {
    @Test
    void eachTableKeepsWhatTheFactsReadAndStarKeepsAll() {
        FactsFile file = FactsFile.parse("""
                CREATE VIEW order_fact AS SELECT o.id AS order_id, c.name, o.total * 2 AS twice
                FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE coalesce(c.email, 'x') <> 'y';
                CREATE VIEW product_dim AS SELECT * FROM products;
                """, "test");
        Map<String, Projection> projections = Projections.of(new FactPlanner("public", DemoTables.schemas()::get).plan(file));
        assertThat(projections.get("orders").columns()).isEqualTo(Set.of("id", "customer_id", "total"));
        assertThat(projections.get("customers").columns()).isEqualTo(Set.of("id", "name", "email"));
        assertThat(projections.get("products")).isEqualTo(Projection.ALL);
        assertThat(projections.get("orders").keeps("status")).isFalse();
    }
}
