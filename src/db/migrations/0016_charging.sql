-- 0016_charging: balances (src/charging, docs/charging.md).
--
-- bucket: one balance a line or an account holds: a money wallet
-- (usage_type monetary, unit the ISO 4217 currency, value in micro-units)
-- or a unit bucket (voice in seconds, sms in messages, data in bytes,
-- event in events). A typed row, not a document: its value changes with
-- every rated event, so the TMF654 bucket is rendered from the row on read
-- and doc keeps only the members posted with it (name, description ...).
--   account_id   the billing account it belongs to
--   product_id   the product whose allowance made it (NULL: a wallet, a grant)
--   msisdn       the line it serves (NULL: shared by the account's lines)
--   source       promotion | plan | addon | shared | wallet (consumption order)
--   price_id, price_version  the allowance price that made it
--   value        what it holds; always the sum of its balance_ledger deltas
--   initial_value what this cycle granted (usage thresholds)
--   used         units taken this cycle (fair use)
--   valid_from, valid_to  ms, [from, to); NULL open
--   status       active | expired | suspended | closed
CREATE TABLE bucket (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    product_id TEXT,
    msisdn TEXT,
    usage_type TEXT NOT NULL,
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    price_id TEXT,
    price_version TEXT,
    priority BIGINT NOT NULL,
    value BIGINT NOT NULL,
    initial_value BIGINT NOT NULL,
    used BIGINT NOT NULL,
    unlimited BIGINT NOT NULL,
    valid_from BIGINT,
    valid_to BIGINT,
    status TEXT NOT NULL,
    doc TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL
);
CREATE INDEX bucket_account ON bucket (account_id);
CREATE INDEX bucket_msisdn ON bucket (msisdn);
CREATE INDEX bucket_product ON bucket (product_id);

-- balance_ledger: every change of a bucket's value, in time order (the id
-- is a UUIDv7), with its reason (create, topup, adjust, usage, refund,
-- transfer, expiry, renewal, rollover) and what caused it (source_kind and
-- source_id: a topupBalance, a usage, a session, an import batch). events
-- is how many usage events the row sums (an import writes one row per
-- bucket per batch, its usage rows hold each event's before and after).
CREATE TABLE balance_ledger (
    id TEXT PRIMARY KEY,
    bucket_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    delta BIGINT NOT NULL,
    value_after BIGINT NOT NULL,
    reason TEXT NOT NULL,
    source_kind TEXT,
    source_id TEXT,
    events BIGINT NOT NULL
);
CREATE INDEX balance_ledger_bucket ON balance_ledger (bucket_id, at_ms);

-- balance_reservation: an amount of a bucket held for a while (a TMF654
-- reserveBalance, later an online session's quota): it counts against
-- what the bucket can give until it is used, released or expires_ms
-- passes (an expired hold counts as released wherever it is read).
-- state: active, used, released.
CREATE TABLE balance_reservation (
    id TEXT PRIMARY KEY,
    bucket_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX balance_reservation_bucket ON balance_reservation (bucket_id, state);

-- balance_request: the idempotency keys of the requests that change a
-- balance (Idempotency-Key of a top-up, an adjustment, a reservation):
-- the same key and body again answer the first result (result_id); the
-- same key with another body is refused.
CREATE TABLE balance_request (
    kind TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    result_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, idem_key)
);

-- TMF654 action records (documents, db/resource.h layout): a top-up, an
-- adjustment, a reservation, as the API returns them.
CREATE TABLE tmf654_topup_balance (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    bucket_id TEXT
);
CREATE INDEX tmf654_topup_balance_bucket ON tmf654_topup_balance (bucket_id);
CREATE TABLE tmf654_adjust_balance (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    usage_type TEXT,
    bucket_id TEXT
);
CREATE INDEX tmf654_adjust_balance_bucket ON tmf654_adjust_balance (bucket_id);
CREATE TABLE tmf654_reserve_balance (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    bucket_id TEXT
);
CREATE INDEX tmf654_reserve_balance_bucket ON tmf654_reserve_balance (bucket_id);
