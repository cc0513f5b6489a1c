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
