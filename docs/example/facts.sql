-- Facts over the example schema (schema.sql beside this file). Run this file in PostgreSQL, point the streams-app at
-- it with STREAMS_FACTS_FILE, and each view's SELECT * equals <view>_current in ClickHouse once the pipeline drained.

-- One row per invoice line that is not void: a three-level chain (line -> invoice -> account -> region), an INNER
-- join, a WHERE and expressions.
CREATE VIEW invoice_line_fact AS
SELECT l."invoiceId" AS invoice_id,
       l."lineNo" AS line_no,
       l.sku,
       l.qty * l."unitPrice" AS line_total,
       i.status,
       a."displayName" AS account_name,
       r."regionName" AS region,
       COALESCE(i.discount, 0) AS discount,
       CASE WHEN l.qty >= 10 THEN 'bulk' ELSE 'single' END AS size_class,
       upper(l.sku) || '-' || l."lineNo" AS line_code
FROM "InvoiceLine" l
JOIN "Invoice" i ON l."invoiceId" = i.id
LEFT JOIN "Account" a ON i."accountId" = a.id
LEFT JOIN "Region" r ON a."regionId" = r.id
WHERE i.status <> 'void';

-- One row per invoice: the same table joined twice under two aliases.
CREATE VIEW invoice_fact AS
SELECT i.id,
       i.amount,
       i.amount - COALESCE(i.discount, 0) AS net,
       a."displayName" AS account,
       b."displayName" AS billed_to,
       NULLIF(i.status, 'draft') AS status
FROM "Invoice" i
LEFT JOIN "Account" a ON i."accountId" = a.id
LEFT JOIN "Account" b ON i."billedToId" = b.id;

-- A dimension: every column, also columns added later.
CREATE VIEW account_dim AS SELECT * FROM "Account";
