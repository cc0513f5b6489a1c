#!/bin/sh
# A steady demo workload: new orders with items, status changes, customer renames, product re-categorisations, deletes.
set -e
# the container's first process: stop at once on docker stop (SIGTERM), between two rounds
trap 'exit 0' TERM INT
# without docker compose's healthy-dependency wait (podman-compose 1.0 has none), wait for PostgreSQL here
until psql -q -c 'SELECT 1' >/dev/null 2>&1; do sleep 1; done
i=0
while true; do
  i=$((i + 1))
  c=$((i % 50 + 1)); p=$((i % 20 + 1))
  psql -q -v ON_ERROR_STOP=1 <<SQL
WITH o AS (INSERT INTO orders (customer_id, total, status) VALUES ($c, $((i % 500)).99, 'pending') RETURNING id)
INSERT INTO order_items (order_id, product_id, quantity, price) SELECT o.id, $p, 2, 1.25 FROM o;
UPDATE orders SET status = 'paid' WHERE id = $((i / 2 + 1));
UPDATE customers SET name = 'customer $c v$i' WHERE id = $c AND $i % 7 = 0;
UPDATE products SET category = 'sale' WHERE id = $p AND $i % 11 = 0;
DELETE FROM orders WHERE id = $((i / 3 + 1)) AND $i % 13 = 0;
SQL
  sleep 0.5
done
