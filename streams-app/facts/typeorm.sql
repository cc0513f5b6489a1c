-- The default facts of the streams-app, for the seed's TypeORM schema (customers, products, orders, order_items).
-- Plain PostgreSQL: run this file in the source database and SELECT * FROM order_fact equals
-- cdc.order_fact_current in ClickHouse once the pipeline has drained.

CREATE VIEW order_fact AS
SELECT o.id AS order_id,
       o.customer_id,
       c.name AS customer_name,
       c.email AS customer_email,
       o.total,
       o.status,
       o.created_at
FROM orders o
LEFT JOIN customers c ON o.customer_id = c.id;

CREATE VIEW order_item_fact AS
SELECT i.id AS order_item_id,
       i.order_id,
       o.customer_id,
       i.product_id,
       p.name AS product_name,
       p.category AS product_category,
       i.quantity,
       i.price,
       i.quantity * i.price AS line_total,
       o.status AS order_status
FROM order_items i
LEFT JOIN products p ON i.product_id = p.id
LEFT JOIN orders o ON i.order_id = o.id;

CREATE VIEW customer_dim AS SELECT * FROM customers;

CREATE VIEW product_dim AS SELECT * FROM products;
