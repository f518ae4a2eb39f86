-- The user's own table named like Sluice's ledger, with other columns and rows of its own.
CREATE TABLE payments (
    id       bigserial     PRIMARY KEY,
    order_id bigint        NOT NULL REFERENCES orders (id),
    amount   numeric(12,2) NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);
INSERT INTO payments (order_id, amount) VALUES (1, 9.99), (2, 120.00);
