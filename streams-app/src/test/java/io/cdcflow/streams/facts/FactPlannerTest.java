package io.cdcflow.streams.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Planning views against the demo tables: the types PostgreSQL would give, and every refusal with view and line. */
class FactPlannerTest {
    private static final Map<String, RowSchema> TABLES = DemoTables.schemas();

    private static FactPlan plan(String sql) {
        return new FactPlanner("public", TABLES::get).plan(FactsFile.parse(sql, "facts.sql")).get(0);
    }

    private static String types(FactPlan plan) {
        return String.join(", ", plan.columns().stream().map(c -> c.name() + " " + c.type().display() + (c.notNull() ? " NOT NULL" : "")).toList());
    }

    @Test
    void theDefaultFactsHaveTheSourceTypesAndLeftJoinedColumnsAreNullable() {
        List<FactPlan> plans = new FactPlanner("public", TABLES::get).plan(FactsFile.load(null));
        assertThat(plans).extracting(FactPlan::name).containsExactly("order_fact", "order_item_fact", "customer_dim", "product_dim");
        assertThat(types(plans.get(0))).isEqualTo("order_id integer NOT NULL, customer_id integer, customer_name text, "
                + "customer_email text, total numeric(12,2) NOT NULL, status text NOT NULL, created_at timestamp with time zone NOT NULL");
        assertThat(types(plans.get(1))).isEqualTo("order_item_id integer NOT NULL, order_id integer NOT NULL, customer_id integer, "
                + "product_id integer, product_name text, product_category text, quantity integer NOT NULL, "
                + "price numeric(10,2) NOT NULL, line_total numeric NOT NULL, order_status text");
        assertThat(plans.get(1).key()).containsExactly("order_item_id");
        assertThat(plans.get(2).columns()).extracting(Column::name).containsExactly("id", "name", "email", "notes");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
            "o.total + 1                       ; numeric",
            "o.id + 1                          ; integer",
            "o.id::bigint * 2                  ; bigint",
            "o.id / 2.0                        ; numeric",
            "o.total::numeric(5,1)             ; numeric(5,1)",
            "o.total::float8 + 1               ; double precision",
            "o.status || 'x'                   ; text",
            "COALESCE(o.total, 0)              ; numeric",
            "COALESCE(o.total, o.total)        ; numeric(12,2)",
            "CASE WHEN o.id > 1 THEN 'a' END   ; text",
            "length(o.status)                  ; integer",
            "round(o.total, 1)                 ; numeric",
            "o.total > 5 AND o.status <> 'x'   ; boolean",
            "o.status::varchar(3)              ; character varying(3)",
            "NULLIF(o.status, 'x')             ; text",
    })
    void expressionsTakePostgresTypes(String expression, String type) {
        FactPlan plan = plan("CREATE VIEW f AS SELECT o.id AS k, " + expression + " AS v FROM orders o;");
        assertThat(plan.columns().get(1).type().display()).isEqualTo(type);
    }

    @Test
    void notNullFollowsTheExpression() {
        FactPlan plan = plan("CREATE VIEW f AS SELECT o.id, o.total * 2 AS a, o.customer_id + 1 AS b, COALESCE(o.customer_id, 0) AS c, "
                + "NULLIF(o.status, 'x') AS d, c.name AS e FROM orders o JOIN customers c ON o.customer_id = c.id;");
        assertThat(plan.columns()).extracting(Column::notNull).containsExactly(true, true, false, true, false, true);
    }

    @Test
    void unnamedColumnsAreNamedAsPostgresNamesThem() {
        FactPlan plan = plan("CREATE VIEW f AS SELECT o.id, o.total::int, lower(o.status), o.id + 1, COALESCE(o.status, 'a') FROM orders o;");
        assertThat(plan.columns()).extracting(Column::name).containsExactly("id", "total", "lower", "?column?", "coalesce");
    }

    @Test
    void aCompositeKeyJoinIsOrderedByTheJoinedTablesKey() {
        Map<String, RowSchema> tables = Map.of(
                "a", RowSchema.table("public", "a", 0, List.of(new Column("id", io.cdcflow.common.schema.SqlTypes.INT4, true),
                        new Column("x", io.cdcflow.common.schema.SqlTypes.INT4, true), new Column("y", io.cdcflow.common.schema.SqlTypes.TEXT, true)), List.of("id")),
                "b", RowSchema.table("public", "b", 0, List.of(new Column("k2", io.cdcflow.common.schema.SqlTypes.TEXT, true),
                        new Column("k1", io.cdcflow.common.schema.SqlTypes.INT4, true)), List.of("k1", "k2")));
        FactPlan plan = new FactPlanner("public", tables::get).plan(FactsFile.parse(
                "CREATE VIEW f AS SELECT a.id FROM a LEFT JOIN b ON b.k2 = a.y AND a.x = b.k1;", "t")).get(0);
        assertThat(plan.joins().get(0).keyColumns()).containsExactly("k1", "k2");
        assertThat(plan.joins().get(0).parentColumns()).containsExactly("x", "y");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SELECT o.total FROM orders o                                             | must contain o.id",
            "SELECT o.id FROM orders o RIGHT JOIN customers c ON o.customer_id = c.id  | only LEFT JOIN and [INNER] JOIN",
            "SELECT o.id FROM orders o FULL JOIN customers c ON o.customer_id = c.id   | only LEFT JOIN and [INNER] JOIN",
            "SELECT o.id FROM orders o, customers c                                    | only LEFT JOIN and [INNER] JOIN",
            "SELECT o.id FROM orders o JOIN customers c ON o.customer_id = c.name      | whole primary key [id]",
            "SELECT o.id FROM orders o JOIN customers c ON o.total > c.id              | ON must equate",
            "SELECT o.id FROM orders o JOIN customers c ON o.status = c.id             | the types differ",
            "SELECT o.id FROM orders o JOIN customers c USING (id)                     | USING",
            "SELECT DISTINCT o.id FROM orders o                                        | DISTINCT",
            "SELECT o.id FROM orders o GROUP BY o.id                                   | GROUP BY",
            "SELECT o.id FROM orders o ORDER BY o.id                                   | ORDER BY",
            "SELECT o.id FROM orders o LIMIT 5                                         | LIMIT",
            "SELECT o.id, count(*) FROM orders o                                       | aggregate function count()",
            "SELECT o.id, o.nope FROM orders o                                         | column o.nope does not exist",
            "SELECT o.id, x.id FROM orders o                                           | no table or alias x",
            "SELECT o.id, id FROM orders o JOIN customers c ON o.customer_id = c.id    | ambiguous",
            "SELECT o.id FROM invoices o                                               | no schema for table public.invoices",
            "SELECT o.id FROM other.orders o                                           | outside the schema public",
            "SELECT o.id FROM (SELECT 1) o                                             | FROM and JOIN name tables",
            "SELECT o.id, md5(o.status) FROM orders o                                  | function md5() is not supported",
            "SELECT o.id, o.status + 1 FROM orders o                                   | operator + is not defined for text",
            "SELECT o.id, o.created_at > o.created_at FROM orders o                    | operator > on timestamp with time zone",
            "SELECT o.id, CASE WHEN o.id > 1 THEN o.status ELSE o.id END FROM orders o | cannot be matched",
            "SELECT o.id, o.id::timestamp FROM orders o                                | CAST to timestamp is not supported",
            "SELECT o.id, o.id AS id FROM orders o                                     | specified more than once",
            "SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id           | SELECT * of a view with joins",
            "SELECT o.id FROM orders o WHERE o.total                                   | must be boolean",
            "SELECT o.id FROM orders o JOIN orders o ON o.id = o.id                    | used twice",
            "SELECT o.id, CASE WHEN o.id > 1 THEN 1 ELSE 'abc' END FROM orders o        | invalid input syntax for type integer",
    })
    void unsupportedConstructsAreRefusedNamingTheViewAndLine(String select, String message) {
        assertThatThrownBy(() -> plan("-- a comment\n\nCREATE VIEW bad_fact AS\n" + select + ";"))
                .isInstanceOf(FactsException.class)
                .hasMessageContaining("facts.sql, view bad_fact (line ")
                .hasMessageContaining(message);
    }

    @Test
    void theLineNamedIsTheOffendingOne() {
        assertThatThrownBy(() -> plan("CREATE VIEW f AS\nSELECT o.id,\n       o.nope\nFROM orders o;"))
                .hasMessageStartingWith("facts.sql, view f (line 3): column o.nope does not exist");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "CREATE TABLE t (id int);                                | only CREATE VIEW statements",
            "CREATE MATERIALIZED VIEW m AS SELECT o.id FROM orders o; | not CREATE MATERIALIZED VIEW",
            "CREATE VIEW u AS SELECT o.id FROM orders o UNION SELECT 1; | only a plain SELECT",
            "CREATE VIEW v (a) AS SELECT o.id FROM orders o;          | column list",
            "CREATE VIEW oops AS SELEC 1;                             | not valid SQL",
            "-- nothing here                                          | declares no view",
    })
    void filesWithOtherStatementsAreRefused(String sql, String message) {
        assertThatThrownBy(() -> FactsFile.parse(sql, "facts.sql")).isInstanceOf(FactsException.class).hasMessageContaining(message);
    }

    @Test
    void aViewDeclaredTwiceIsRefused() {
        assertThatThrownBy(() -> FactsFile.parse("CREATE VIEW a AS SELECT o.id FROM orders o;\nCREATE VIEW a AS SELECT o.id FROM orders o;", "f.sql"))
                .hasMessageContaining("view a (line 2): a view of this name is declared twice");
    }
}
