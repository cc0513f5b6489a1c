package io.cdcflow.e2e;

import io.cdcflow.testsupport.PostgresEndpoint;
import java.util.Random;

/**
 * Changes to the example schema (docs/example/schema.sql) that exercise every path of its facts: lines whose invoice
 * is void or missing (INNER JOIN, WHERE), accounts moving region, invoices moving account or billed-to account,
 * regions renamed, discounts set and cleared, deletes at every level. Deterministic for a seed.
 */
final class ExampleWorkload {
    private static final String[] STATUSES = {"open", "paid", "void", "draft"};
    private final PostgresEndpoint db;
    private final Random random;
    private int nextInvoice = 1000;

    ExampleWorkload(PostgresEndpoint db, long seed) {
        this.db = db;
        this.random = new Random(seed);
    }

    /** Rows before the pipeline starts: they arrive through the snapshot. */
    void seed() {
        db.execute(
                "INSERT INTO \"Region\" SELECT i, 'region ' || i FROM generate_series(1, 5) i",
                "INSERT INTO \"Account\" SELECT i, 'account ' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE i % 5 + 1 END, "
                        + "CASE WHEN i % 2 = 0 THEN 'gold' END FROM generate_series(1, 30) i",
                "INSERT INTO \"Invoice\" SELECT i, i % 30 + 1, CASE WHEN i % 3 = 0 THEN (i + 7) % 30 + 1 END, (i * 7.31)::numeric(12,2), "
                        + "CASE WHEN i % 2 = 0 THEN (i % 9)::numeric(5,2) / 2 END, (ARRAY['open','paid','void','draft'])[i % 4 + 1] "
                        + "FROM generate_series(1, 80) i",
                "INSERT INTO \"InvoiceLine\" SELECT i % 80 + 1, i, 'sku-' || (i % 17), i % 15 + 1, (i * 0.37)::numeric(10,2) "
                        + "FROM generate_series(1, 240) i");
    }

    void run(int count) {
        for (int i = 0; i < count; i++) {
            db.execute(change());
        }
    }

    private String change() {
        int roll = random.nextInt(100);
        int invoice = random.nextInt(90) + 1;
        int account = random.nextInt(32) + 1;
        if (roll < 15) {
            int id = nextInvoice++;
            return "WITH a AS (SELECT id FROM \"Account\" ORDER BY random() LIMIT 1), i AS (INSERT INTO \"Invoice\" SELECT " + id
                    + ", a.id, NULL, " + random.nextInt(100_000) / 100.0 + ", NULL, 'open' FROM a RETURNING id) "
                    + "INSERT INTO \"InvoiceLine\" SELECT i.id, g, 'sku-' || g, g * 4, 1.25 FROM i, generate_series(1, " + (random.nextInt(3) + 1) + ") g";
        } else if (roll < 30) {
            return "UPDATE \"Invoice\" SET status = '" + STATUSES[random.nextInt(STATUSES.length)] + "' WHERE id = " + invoice;
        } else if (roll < 38) {
            return "UPDATE \"Invoice\" SET discount = " + (random.nextBoolean() ? "NULL" : String.valueOf(random.nextInt(900) / 100.0))
                    + " WHERE id = " + invoice;
        } else if (roll < 45) {
            return "UPDATE \"Invoice\" SET \"accountId\" = (SELECT id FROM \"Account\" ORDER BY random() LIMIT 1) WHERE id = " + invoice;
        } else if (roll < 50) {
            return "UPDATE \"Invoice\" SET \"billedToId\" = (SELECT id FROM \"Account\" ORDER BY random() LIMIT 1) WHERE id = " + invoice;
        } else if (roll < 58) {
            return "UPDATE \"Account\" SET \"regionId\" = " + (random.nextInt(6) == 0 ? "NULL" : String.valueOf(random.nextInt(5) + 1))
                    + " WHERE id = " + account;
        } else if (roll < 63) {
            return "UPDATE \"Account\" SET \"displayName\" = 'account ' || id || ' v" + random.nextInt(1000) + "' WHERE id = " + account;
        } else if (roll < 68) {
            return "UPDATE \"Region\" SET \"regionName\" = 'region ' || id || ' v" + random.nextInt(1000) + "' WHERE id = " + (random.nextInt(5) + 1);
        } else if (roll < 80) {
            return "UPDATE \"InvoiceLine\" SET qty = qty + " + (random.nextInt(9) + 1) + " WHERE \"invoiceId\" = " + invoice;
        } else if (roll < 88) {
            return "DELETE FROM \"InvoiceLine\" WHERE \"invoiceId\" = " + invoice + " AND \"lineNo\" = (SELECT min(\"lineNo\") FROM \"InvoiceLine\" "
                    + "WHERE \"invoiceId\" = " + invoice + ")";
        } else if (roll < 93) {
            // a line whose invoice goes away: the INNER JOIN drops it from the fact
            return "DELETE FROM \"InvoiceLine\" WHERE \"invoiceId\" = " + invoice + "; DELETE FROM \"Invoice\" WHERE id = " + invoice;
        } else {
            return "UPDATE \"InvoiceLine\" SET sku = 'SKU-' || \"lineNo\" || '-' || " + random.nextInt(100) + " WHERE \"invoiceId\" = " + invoice;
        }
    }
}
