CREATE TABLE addresses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    line1       text NOT NULL,
    city        text NOT NULL,
    postal_code text NOT NULL,
    country     char(2) NOT NULL
);

CREATE INDEX addresses_user_id_idx ON addresses (user_id);

ALTER TABLE orders ADD COLUMN shipping_address_id bigint;

-- Adds a foreign key to an existing (and by now large) table in one step: PostgreSQL checks every row
-- while holding a SHARE ROW EXCLUSIVE lock on orders and addresses.
ALTER TABLE orders
    ADD CONSTRAINT orders_shipping_address_id_fkey
    FOREIGN KEY (shipping_address_id) REFERENCES addresses (id) ON DELETE SET NULL;

CREATE INDEX orders_shipping_address_id_idx ON orders (shipping_address_id);
