-- The payments ledger (contract: DESIGN.md "Output").
CREATE TABLE payments (
    payment_id       varchar(64)  PRIMARY KEY,
    account          varchar(64)  NOT NULL,
    currency         char(3)      NOT NULL,
    amount_cents     bigint       NOT NULL CHECK (amount_cents <> 0 AND abs(amount_cents) <= 1000000000000),
    occurred_at      timestamptz  NOT NULL,
    source_partition integer      NOT NULL,
    source_offset    bigint       NOT NULL,
    ingested_at      timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE account_balances (
    account       varchar(64) NOT NULL,
    currency      char(3)     NOT NULL,
    balance_cents numeric(30) NOT NULL,
    payment_count bigint      NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (account, currency)
);
