-- 0017_usage: rated usage (src/charging/usage.c, docs/charging.md "Usage").
--
-- usage_record: one usage event as it came in (a CDR row, a TMF635 Usage)
-- and what rating made of it. A typed row, not a document: imports write
-- hundreds of thousands a second, so the TMF635 Usage is rendered from the
-- row on read and doc keeps only the members posted with it (the extra CDR
-- columns as usageCharacteristic, a description, related parties).
--   id           the record id (CDR record_id, TMF635 recordId or a UUIDv7):
--                the idempotency key, so a record sent twice is a duplicate
--                and never charged twice. The primary key is the only
--                unique index: CDR files carry their record ids in order, so
--                it is filled in key order.
--   status       rated | rejected | recycled (rated on a later attempt) | billed
--   reason_code, reason  why it was rejected (unknownSubscriber,
--                lineNotActive, beforeActivation, notRated)
--   attempts     how many times it was rated (1 + recycles)
--   source       cdr | rest | online; source_ref the file or batch
--   msisdn ... visited_plmn  the event, as the CDR columns name it
--   account_id, product_id, offering_id, offering_version, price_id, zone,
--   time_band, roaming_zone, rated_units, covered_units, trace: what rated
--                it and how (the explanation)
--   charge, wallet, billed, unpaid  micros: after allowances; of it from
--                money buckets; billed (postpaid); not covered (prepaid short)
--   takes        the buckets touched: "bucket amount before after crossed"
--                per take, ';'-separated
--   period_start the account's bill period (ms) the event falls in
CREATE TABLE usage_record (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason_code TEXT,
    reason TEXT,
    attempts BIGINT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT,
    start_ms BIGINT NOT NULL,
    msisdn TEXT NOT NULL,
    service TEXT NOT NULL,
    destination TEXT,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL,
    rating_group BIGINT,
    visited_plmn TEXT,
    account_id TEXT,
    product_id TEXT,
    offering_id TEXT,
    offering_version TEXT,
    price_id TEXT,
    zone TEXT,
    time_band TEXT,
    roaming_zone TEXT,
    rated_units BIGINT,
    covered_units BIGINT,
    charge BIGINT,
    wallet BIGINT,
    billed BIGINT,
    unpaid BIGINT,
    currency TEXT,
    throttle BIGINT,
    period_start BIGINT,
    trace TEXT,
    takes TEXT,
    doc TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL
);
-- a line's usage in time order (usage lists, the customer view)
CREATE INDEX usage_record_msisdn ON usage_record (msisdn, start_ms);
-- what is waiting to be recycled: a partial index, so rated rows cost it nothing
CREATE INDEX usage_record_rejected ON usage_record (status, start_ms) WHERE status = 'rejected';

-- usage_total: running totals per account, bill period and charge line
-- (product, price, zone, time band), kept by every rated event in the same
-- transaction, so a bill run reads these and not the raw usage. Amounts in
-- micros; '' for a price, zone or band that does not apply.
CREATE TABLE usage_total (
    account_id TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    product_id TEXT NOT NULL,
    price_id TEXT NOT NULL,
    zone TEXT NOT NULL,
    time_band TEXT NOT NULL,
    service TEXT NOT NULL,
    currency TEXT NOT NULL,
    events BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    rated_units BIGINT NOT NULL,
    covered_units BIGINT NOT NULL,
    charge BIGINT NOT NULL,
    wallet BIGINT NOT NULL,
    billed BIGINT NOT NULL,
    last_ms BIGINT NOT NULL,
    last_usage_id TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, period_start, product_id, price_id, zone, time_band)
);
CREATE INDEX usage_total_product ON usage_total (product_id, last_ms);

-- TMF635 UsageSpecification: documents (db/resource.h layout).
CREATE TABLE tmf635_usage_specification (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT
);
CREATE INDEX tmf635_usage_specification_name ON tmf635_usage_specification (name);
