-- The default facts for the seed's SQLModel schema: tables customer, product, "order" (a reserved word, so quoted)
-- and orderitem. Use it with STREAMS_FACTS_FILE=streams-app/facts/sqlmodel.sql.

CREATE VIEW order_fact AS
SELECT o.id AS order_id,
       o.customer_id,
       c.name AS customer_name,
       c.email AS customer_email,
       o.total,
       o.status,
       o.created_at
FROM "order" o
LEFT JOIN customer c ON o.customer_id = c.id;

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
FROM orderitem i
LEFT JOIN product p ON i.product_id = p.id
LEFT JOIN "order" o ON i.order_id = o.id;

CREATE VIEW customer_dim AS SELECT * FROM customer;

CREATE VIEW product_dim AS SELECT * FROM product;
