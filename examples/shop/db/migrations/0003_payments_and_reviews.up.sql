-- Payments are kept for accounting: an order or user with payments cannot be deleted.
CREATE TABLE payments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint NOT NULL,
    user_id      bigint NOT NULL,
    amount_cents integer NOT NULL CHECK (amount_cents > 0),
    provider     text NOT NULL,
    paid_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE RESTRICT,
    CONSTRAINT payments_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE NO ACTION
);

CREATE INDEX payments_order_id_idx ON payments (order_id);

CREATE TABLE reviews (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    -- deliberate: ON DELETE SET NULL on a NOT NULL column; deleting a user who wrote a review fails with a not-null violation.
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE SET NULL,
    rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, user_id)
);
