package io.cdcflow.streams.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.config.Env;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code --check} against a real PostgreSQL: the plan of the example facts, PostgreSQL's agreement, clear refusals. */
@ExtendWith(RealServices.class)
class FactsCheckIT {
    private static PostgresEndpoint db;

    @BeforeAll
    static void schema(PostgresEndpoint server) throws Exception {
        db = server.createDatabase("facts_check");
        db.execute(Files.readString(Path.of("../docs/example/schema.sql")));
    }

    private record Result(int exit, String out) {
    }

    private static Result check(String file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new FactsCheck(new Env(Map.of("POSTGRES_CDC_DSN", db.dsn())), new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(file);
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsThePlanAndPostgresAgreesWithEveryType() {
        Result r = check("../docs/example/facts.sql");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(
                "fact invoice_line_fact (topic invoice_line_fact)",
                "join   INNER Invoice i ON l.invoiceId = i.id (its primary key)",
                "join   LEFT Region r ON a.regionId = r.id (its primary key)",
                "key    [invoice_id, line_no]",
                "line_total    numeric NOT NULL",
                "sku           character varying(20) NOT NULL",
                "join   LEFT Account b ON i.billedToId = b.id (its primary key)",
                "PostgreSQL accepts the file, and gives every column the type above");
        assertThat(db.queryString("SELECT count(*) FROM pg_views WHERE viewname = 'invoice_fact'")).as("nothing is left behind").isEqualTo("0");
    }

    @Test
    void worksOnADatabaseThatHasTheViewsAlreadyAndLeavesThemAlone() throws Exception {
        PostgresEndpoint withViews = db.createDatabase("facts_check_views");
        withViews.execute(Files.readString(Path.of("../docs/example/schema.sql")));
        withViews.execute(Files.readString(Path.of("../docs/example/facts.sql"))); // README's step 5
        String before = withViews.queryString("SELECT md5(string_agg(viewname || definition, ',' ORDER BY viewname)) FROM pg_views WHERE schemaname = 'public'");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new FactsCheck(new Env(Map.of("POSTGRES_CDC_DSN", withViews.dsn())), new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .run("../docs/example/facts.sql");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("PostgreSQL accepts the file, and gives every column the type above").doesNotContain("already exists");
        assertThat(withViews.queryString("SELECT md5(string_agg(viewname || definition, ',' ORDER BY viewname)) FROM pg_views WHERE schemaname = 'public'"))
                .as("the existing views are left as they were").isEqualTo(before);
    }

    private static Result checkSql(String sql) throws Exception {
        Path file = Files.createTempFile("facts", ".sql");
        Files.writeString(file, sql);
        return check(file.toString());
    }

    @Test
    void aJoinThatIsNotToAPrimaryKeyIsRefusedWithItsViewAndLine() throws Exception {
        Result r = checkSql("CREATE VIEW f AS\nSELECT i.id\nFROM \"Invoice\" i\nJOIN \"Account\" a ON i.status = a.tier;\n");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("view f (line 4): JOIN Account must match its whole primary key [id], not [tier]");
    }

    @Test
    void aTableThatDoesNotExistIsNamed() throws Exception {
        Result r = checkSql("CREATE VIEW f AS SELECT x.id FROM nowhere x;\n");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("no schema for table public.nowhere");
    }
}
