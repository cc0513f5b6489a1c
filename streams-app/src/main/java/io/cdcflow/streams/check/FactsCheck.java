package io.cdcflow.streams.check;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.PostgresDsn;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.PgCatalog;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactPlans;
import io.cdcflow.streams.facts.FactsException;
import io.cdcflow.streams.facts.FactsFile;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar streams-app.jar --check <file>}: validates a facts file without Kafka and prints the plan (tables,
 * joins, keys, output columns and types). The source tables' schemas are read from PostgreSQL's catalog (the
 * wal-producer's connection variables: {@code POSTGRES_CDC_DSN} or {@code PGHOST}, ...), and the file is also run in
 * PostgreSQL inside a transaction that is rolled back, as temporary views (so the views may exist already): PostgreSQL
 * must accept it, and the types it gives each view's columns are compared with the plan's. Nothing in the database
 * changes.
 */
public final class FactsCheck {
    private final Env env;
    private final PrintStream out;

    public FactsCheck(Env env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    /** @return the process exit code: 0 when the file can run, 2 when it cannot */
    public int run(String path) {
        String schema = io.cdcflow.streams.config.StreamsAppConfig.INPUT_SCHEMA.from(env);
        FactsFile file;
        try {
            file = FactsFile.load(path);
        } catch (FactsException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        PostgresDsn dsn;
        try {
            dsn = PostgresDsn.fromEnv(env);
        } catch (ConfigException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        try (Connection c = connect(dsn)) {
            Map<String, RowSchema> tables = describe(c, schema, file);
            List<FactPlan> plans = new FactPlanner(schema, tables::get).plan(file);
            out.println("facts file " + file.origin() + ": " + plans.size() + " fact(s), source tables from " + dsn + " schema " + schema);
            out.println();
            out.print(FactPlans.report(plans));
            out.println();
            return compareWithPostgres(c, file, plans);
        } catch (FactsException e) {
            out.println("error: " + e.getMessage());
            return 2;
        } catch (SQLException e) {
            out.println("error: cannot read the source tables from PostgreSQL at " + dsn + " (POSTGRES_CDC_DSN, or PGHOST, PGPORT, "
                    + "PGUSER, PGPASSWORD, PGDATABASE): " + e.getMessage());
            return 2;
        }
    }

    private static Connection connect(PostgresDsn dsn) throws SQLException {
        Properties p = new Properties();
        dsn.params().forEach(p::setProperty);
        p.setProperty("user", dsn.user());
        if (dsn.password() != null) {
            p.setProperty("password", dsn.password());
        }
        p.setProperty("ApplicationName", "cdcflow-streams-check");
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(dsn.jdbcUrl(), p);
    }

    private static Map<String, RowSchema> describe(Connection c, String schema, FactsFile file) throws SQLException {
        PgCatalog catalog = new PgCatalog();
        Map<String, RowSchema> tables = new LinkedHashMap<>();
        for (String table : file.tables()) {
            RowSchema described = catalog.table(c, schema, table, quote(schema) + "." + quote(table));
            if (described != null) {
                tables.put(table, described);
            }
        }
        return tables;
    }

    /** Runs the file in a rolled-back transaction and compares PostgreSQL's view column types with the plan's. */
    private int compareWithPostgres(Connection c, FactsFile file, List<FactPlan> plans) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        List<String> differences = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            // the views are made temporary (pg_temp first in the path), so views of those names that exist already
            // (README's step 5 creates them) neither collide nor are looked at instead
            s.execute("SELECT set_config('search_path', 'pg_temp, ' || current_setting('search_path'), true)");
            s.execute(file.text());
            for (FactPlan plan : plans) {
                Map<String, String> pg = viewTypes(c, plan.name());
                for (Column column : plan.columns()) {
                    String theirs = pg.get(column.name());
                    if (theirs == null) {
                        differences.add(plan.name() + "." + column.name() + ": not a column of the view in PostgreSQL");
                    } else if (!theirs.equals(column.type().display())) {
                        differences.add(plan.name() + "." + column.name() + ": PostgreSQL says " + theirs + ", the plan "
                                + column.type().display());
                    }
                }
            }
        } catch (SQLException e) {
            out.println("error: PostgreSQL rejects the file: " + e.getMessage());
            return 2;
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        if (differences.isEmpty()) {
            out.println("PostgreSQL accepts the file, and gives every column the type above (checked in a transaction that was "
                    + "rolled back).");
            return 0;
        }
        out.println("PostgreSQL accepts the file but types some columns differently (the plan's types are the ones ClickHouse gets):");
        differences.forEach(d -> out.println("  " + d));
        return 0;
    }

    private static Map<String, String> viewTypes(Connection c, String view) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            s.setString(1, quote(view));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return types;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
