package io.cdcflow.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A workload shaped like the seed's example apps: customers, products, orders and order items, with inserts,
 * updates (dimension updates after facts exist, foreign-key changes, TOAST-sized text left unchanged), deletes,
 * NULLs and non-ASCII text. Deterministic for a seed. Used by the end-to-end tests and by the local demo.
 */
public final class DemoWorkload {
    private static final String[] NAMES = {"Ada", "Zoë", "Łukasz", "東京 Trading", "O'Brien", "Émile", "Søren", "Nadia"};
    private static final String[] CATEGORIES = {"office", "garden", "kitchen", "tools", "books"};
    private static final String[] STATUSES = {"pending", "paid", "shipped", "cancelled"};

    /** The table names of the seed's example apps (columns are the same in both). */
    public enum Naming {
        TYPEORM("customers", "products", "orders", "order_items"),
        SQLMODEL("customer", "product", "\"order\"", "orderitem");

        private final String[] tables;

        Naming(String... tables) {
            this.tables = tables;
        }

        /** The tables as the wal-producer's POSTGRES_CDC_TABLES lists them (unquoted). */
        public String tableList() {
            return String.join(",", java.util.Arrays.stream(tables).map(t -> t.replace("\"", "")).toList());
        }
    }

    private final PostgresEndpoint db;
    private final Random random;
    private final Naming naming;

    public DemoWorkload(PostgresEndpoint db, long seed) {
        this(db, seed, Naming.TYPEORM);
    }

    public DemoWorkload(PostgresEndpoint db, long seed, Naming naming) {
        this.db = db;
        this.random = new Random(seed);
        this.naming = naming;
    }

    /** The statements with the naming's tables in place of {customers}, {products}, {orders}, {order_items}. */
    private String[] named(String... sql) {
        String[] out = new String[sql.length];
        for (int i = 0; i < sql.length; i++) {
            out[i] = sql[i].replace("{customers}", naming.tables[0]).replace("{products}", naming.tables[1])
                    .replace("{orders}", naming.tables[2]).replace("{order_items}", naming.tables[3]);
        }
        return out;
    }

    public void createSchema() {
        db.execute(named(
                "CREATE TABLE {customers} (id serial PRIMARY KEY, name text NOT NULL, email text, notes text)",
                "CREATE TABLE {products} (id serial PRIMARY KEY, name text NOT NULL, category text, price numeric(10,2))",
                "CREATE TABLE {orders} (id serial PRIMARY KEY, customer_id int, total numeric(12,2) NOT NULL, status text NOT NULL, "
                        + "created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE {order_items} (id serial PRIMARY KEY, order_id int NOT NULL, product_id int, quantity int NOT NULL, "
                        + "price numeric(10,2) NOT NULL)"));
    }

    /** Rows that exist before the pipeline starts: they arrive through the snapshot. */
    public void seed() {
        db.execute(named(
                "INSERT INTO {customers} (name, email, notes) SELECT 'customer ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '@example.com' END, "
                        + "CASE WHEN i % 5 = 0 THEN (SELECT string_agg(md5(i::text || g::text), '') FROM generate_series(1, 400) g) END "
                        + "FROM generate_series(1, 40) i",
                "INSERT INTO {products} (name, category, price) SELECT 'product ' || i, (ARRAY['office','garden','kitchen'])[i % 3 + 1], "
                        + "(i * 1.37)::numeric(10,2) FROM generate_series(1, 15) i",
                "INSERT INTO {orders} (customer_id, total, status) SELECT i % 45 + 1, (i * 3.11)::numeric(12,2), 'pending' FROM generate_series(1, 120) i",
                "INSERT INTO {order_items} (order_id, product_id, quantity, price) SELECT i % 120 + 1, i % 16 + 1, i % 4 + 1, "
                        + "(i * 0.99)::numeric(10,2) FROM generate_series(1, 300) i"));
    }

    /** {@code count} random changes, in small transactions. */
    public void run(int count) {
        for (int i = 0; i < count; i++) {
            db.execute(change());
        }
    }

    private String[] change() {
        int roll = random.nextInt(100);
        int customer = random.nextInt(50) + 1;
        int order = random.nextInt(140) + 1;
        List<String> sql = new ArrayList<>();
        if (roll < 10) {
            sql.add("INSERT INTO {customers} (name, email) VALUES (" + quote(pick(NAMES) + " " + random.nextInt(1000)) + ", "
                    + (random.nextBoolean() ? "NULL" : quote("new" + random.nextInt(1000) + "@example.com")) + ")");
        } else if (roll < 20) {
            // a dimension update after facts exist; a TOASTed notes column stays unchanged
            sql.add("UPDATE {customers} SET name = " + quote(pick(NAMES) + " renamed " + random.nextInt(1000)) + " WHERE id = " + customer);
        } else if (roll < 25) {
            sql.add("UPDATE {customers} SET notes = repeat(md5(random()::text), 300), email = NULL WHERE id = " + customer);
        } else if (roll < 28) {
            sql.add("DELETE FROM {customers} WHERE id = " + customer);
        } else if (roll < 35) {
            sql.add("UPDATE {products} SET category = " + quote(pick(CATEGORIES)) + ", price = price + 1 WHERE id = " + (random.nextInt(16) + 1));
        } else if (roll < 50) {
            sql.add("WITH o AS (INSERT INTO {orders} (customer_id, total, status) VALUES (" + customer + ", " + random.nextInt(50_000) / 100.0
                    + ", 'pending') RETURNING id) INSERT INTO {order_items} (order_id, product_id, quantity, price) "
                    + "SELECT o.id, g % 16 + 1, g, 2.50 FROM o, generate_series(1, " + (random.nextInt(4) + 1) + ") g");
        } else if (roll < 65) {
            sql.add("UPDATE {orders} SET status = " + quote(pick(STATUSES)) + ", total = total + 0.01 WHERE id = " + order);
        } else if (roll < 72) {
            // the order moves to another customer
            sql.add("UPDATE {orders} SET customer_id = " + customer + " WHERE id = " + order);
        } else if (roll < 77) {
            sql.add("DELETE FROM {order_items} WHERE order_id = " + order);
            sql.add("DELETE FROM {orders} WHERE id = " + order);
        } else if (roll < 85) {
            sql.add("UPDATE {order_items} SET quantity = quantity + 1 WHERE id = " + (random.nextInt(320) + 1));
        } else if (roll < 90) {
            sql.add("UPDATE {order_items} SET product_id = " + (random.nextInt(16) + 1) + " WHERE id = " + (random.nextInt(320) + 1));
        } else if (roll < 95) {
            sql.add("DELETE FROM {order_items} WHERE id = " + (random.nextInt(320) + 1));
        } else {
            sql.add("UPDATE {order_items} SET order_id = " + order + " WHERE id = " + (random.nextInt(320) + 1));
        }
        return named(sql.toArray(String[]::new));
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
