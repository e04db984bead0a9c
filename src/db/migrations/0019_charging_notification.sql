-- 0019_charging_notification: what the charging engine tells subscribers
-- and staff (src/charging/notify.c, docs/charging.md "Thresholds and
-- notifications"): a usage threshold of an allowance crossed (50, 80, 100
-- percent), a bill-shock amount reached. Each is also an outbox event.
--   dedup_key  one notification per cause: "<bucket>:<percent>",
--              "billShock:<account>:<period start>"
--   channel    sms | email; recipient the number or address
--   status     pending | sent | failed (attempts counts the tries)
CREATE TABLE charging_notification (
    id TEXT PRIMARY KEY,
    dedup_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    msisdn TEXT,
    account_id TEXT,
    bucket_id TEXT,
    threshold BIGINT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    sent_ms BIGINT
);
CREATE UNIQUE INDEX charging_notification_dedup ON charging_notification (dedup_key);
CREATE INDEX charging_notification_pending ON charging_notification (created_ms) WHERE status = 'pending';
CREATE INDEX charging_notification_msisdn ON charging_notification (msisdn, created_ms);
