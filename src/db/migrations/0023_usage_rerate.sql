-- 0023_usage_rerate: re-rating a period (src/charging/rerate.c,
-- docs/charging.md "Re-rating").
--
-- usage_record.rerate_id, previous: the last re-rating that changed the
-- row and, as JSON, what the row said before it (price, zone, band,
-- units, charge, wallet, billed, takes, trace): a changed charge is never
-- silent, the explanation shows both.
ALTER TABLE usage_record ADD COLUMN rerate_id TEXT;
ALTER TABLE usage_record ADD COLUMN previous TEXT;

-- usage_rerate: one re-rating run and its report (the deltas), by the
-- Idempotency-Key it came with (balance_request kind 'rerate').
CREATE TABLE usage_rerate (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL,
    report TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX usage_rerate_account ON usage_rerate (account_id, created_ms);

-- usage_adjustment: what re-rating found for usage already billed, which
-- it never changes: amount (micros, signed) is what the bill run puts on
-- the next invoice (status open, then billed). A usage's adjustments sum
-- to the difference between what its bill said and what it costs now, so
-- re-rating it again adds nothing.
CREATE TABLE usage_adjustment (
    id TEXT PRIMARY KEY,
    rerate_id TEXT NOT NULL,
    usage_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    charge_before BIGINT NOT NULL,
    charge_after BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX usage_adjustment_usage ON usage_adjustment (usage_id);
CREATE INDEX usage_adjustment_open ON usage_adjustment (account_id, created_ms) WHERE status = 'open';
