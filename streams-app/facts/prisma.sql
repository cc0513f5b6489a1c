-- The default facts for the seed's Prisma schema: tables "Customer", "Product", "Order" and "OrderItem" with
-- camelCase columns ("customerId", "createdAt"), all quoted as Prisma creates them. The facts keep the snake_case
-- column names of the other examples. Use it with STREAMS_FACTS_FILE=streams-app/facts/prisma.sql.

CREATE VIEW order_fact AS
SELECT o.id AS order_id,
       o."customerId" AS customer_id,
       c.name AS customer_name,
       c.email AS customer_email,
       o.total,
       o.status,
       o."createdAt" AS created_at
FROM "Order" o
LEFT JOIN "Customer" c ON o."customerId" = c.id;

CREATE VIEW order_item_fact AS
SELECT i.id AS order_item_id,
       i."orderId" AS order_id,
       o."customerId" AS customer_id,
       i."productId" AS product_id,
       p.name AS product_name,
       p.category AS product_category,
       i.quantity,
       i.price,
       i.quantity * i.price AS line_total,
       o.status AS order_status
FROM "OrderItem" i
LEFT JOIN "Product" p ON i."productId" = p.id
LEFT JOIN "Order" o ON i."orderId" = o.id;

CREATE VIEW customer_dim AS SELECT * FROM "Customer";

CREATE VIEW product_dim AS SELECT * FROM "Product";
