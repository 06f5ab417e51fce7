-- orders.user_id has had no index since 0002: deleting a user scanned all of orders for the cascade.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx ON orders (user_id);
