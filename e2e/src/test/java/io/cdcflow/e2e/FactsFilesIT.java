package io.cdcflow.e2e;

import io.cdcflow.testsupport.ClickHouseEndpoint;
import io.cdcflow.testsupport.DemoWorkload;
import io.cdcflow.testsupport.KafkaEndpoint;
import io.cdcflow.testsupport.PostgresEndpoint;
import io.cdcflow.testsupport.RealServices;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Facts files other than the default, through the three jars: the file is run in PostgreSQL as it is and every view
 * equals its ClickHouse current view, column by column, type by type and value by value.
 */
@ExtendWith(RealServices.class)
class FactsFilesIT {
    @Test
    void sqlModelFactsOverSingularTableNames(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_sqlmodel");
        DemoWorkload workload = new DemoWorkload(db, 3, DemoWorkload.Naming.SQLMODEL);
        workload.createSchema();
        workload.seed();
        Pipeline.Facts facts = Pipeline.Facts.file("../streams-app/facts/sqlmodel.sql", DemoWorkload.Naming.SQLMODEL.tableList());
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, facts)) {
            pipeline.startAll();
            workload.run(100);
            pipeline.awaitReady();
            workload.run(100);
            db.execute(facts.sql());
            FactViews.assertEqual(db, ch, pipeline);
        }
    }

    @Test
    void sourceColumnsNamedLikeThePipelinesOwnFieldsRoundTripThroughAFactAndTheMirror(PostgresEndpoint server, KafkaEndpoint kafka,
                                                                                      ClickHouseEndpoint ch) throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_reserved");
        db.execute("""
                CREATE TABLE flags (id integer PRIMARY KEY, __deleted boolean, __commit_lsn bigint, __seq bigint, _version bigint,
                                    _deleted boolean NOT NULL DEFAULT false, label text);
                CREATE TABLE widgets (id integer PRIMARY KEY, flag_id integer, name text, _version bigint);
                INSERT INTO flags SELECT i, i % 2 = 0, i * 10, -i, 7 - i, i % 3 = 0, 'flag ' || i FROM generate_series(1, 20) i;
                INSERT INTO widgets SELECT i, 1 + i % 20, 'widget ' || i, i FROM generate_series(1, 200) i;
                """);
        Pipeline.Facts facts = new Pipeline.Facts("""
                CREATE VIEW widget_fact AS
                SELECT w.id, w.name, w._version, f.__deleted, f.__commit_lsn, f.__seq, f._version AS flag_version,
                       f._deleted AS flag_deleted
                FROM widgets w LEFT JOIN flags f ON w.flag_id = f.id;
                CREATE VIEW flag_dim AS SELECT * FROM flags;
                """, "flags,widgets");
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, facts);
             Deployable mirror = pipeline.mirror(kafka, ch, "flags", "widgets")) {
            pipeline.startAll();
            mirror.start();
            pipeline.awaitReady();
            mirror.awaitReady();
            db.execute("UPDATE flags SET __deleted = NOT coalesce(__deleted, false), _version = _version + 100, _deleted = true WHERE id % 4 = 0",
                    "UPDATE flags SET label = 'unread by widget_fact' WHERE id = 3",
                    "DELETE FROM flags WHERE id = 5",
                    "UPDATE widgets SET _version = NULL, name = 'renamed' WHERE id % 7 = 0",
                    "DELETE FROM widgets WHERE id % 11 = 0",
                    "INSERT INTO flags VALUES (5, NULL, NULL, NULL, NULL, false, 'back')");
            db.execute(facts.sql());
            FactViews.assertEqual(db, ch, pipeline);
            FactViews.assertEqual(db, ch, "flags", pipeline.database + ".flags", pipeline);
            FactViews.assertEqual(db, ch, "widgets", pipeline.database + ".widgets", pipeline);
        }
    }

    @Test
    void ownSchemaWithChainInnerJoinWhereExpressionsAndQuotedNames(PostgresEndpoint server, KafkaEndpoint kafka, ClickHouseEndpoint ch)
            throws Exception {
        PostgresEndpoint db = server.createDatabase("e2e_example");
        db.execute(Files.readString(Path.of("../docs/example/schema.sql")));
        ExampleWorkload workload = new ExampleWorkload(db, 4);
        workload.seed();
        Pipeline.Facts facts = Pipeline.Facts.file("../docs/example/facts.sql", "Region,Account,Invoice,InvoiceLine");
        try (Pipeline pipeline = new Pipeline(db, kafka, ch, facts)) {
            pipeline.startAll();
            workload.run(100);
            pipeline.awaitReady();
            workload.run(100);
            pipeline.streamsApp.kill();
            workload.run(60);
            pipeline.streamsApp.start();
            workload.run(100);
            db.execute(facts.sql());
            FactViews.assertEqual(db, ch, pipeline);
        }
    }
}
