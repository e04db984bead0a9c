-- 0021_transfer_balance: TMF654 transferBalance records (documents,
-- db/resource.h layout): what moved from one bucket to another of the same
-- account (src/charging/balance.c), beside its two ledger rows.
CREATE TABLE tmf654_transfer_balance (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    bucket_id TEXT,
    receiver_bucket_id TEXT
);
CREATE INDEX tmf654_transfer_balance_bucket ON tmf654_transfer_balance (bucket_id);
CREATE INDEX tmf654_transfer_balance_receiver ON tmf654_transfer_balance (receiver_bucket_id);
