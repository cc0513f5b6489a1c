-- The demo tables, shaped like the seed's TypeORM example app.
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, notes text);
CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, category text, price numeric(10,2));
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int, total numeric(12,2), status text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_items (id serial PRIMARY KEY, order_id int, product_id int, quantity int, price numeric(10,2));
INSERT INTO customers (name, email) SELECT 'customer ' || i, 'c' || i || '@example.com' FROM generate_series(1, 50) i;
INSERT INTO products (name, category, price) SELECT 'product ' || i, (ARRAY['office','garden','kitchen'])[i % 3 + 1], i * 1.25 FROM generate_series(1, 20) i;
