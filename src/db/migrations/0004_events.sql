-- 0004_events: the transactional outbox and TMF688-style hub delivery
-- (src/events, docs/events.md).
--
-- Order: events are identified by application-assigned UUIDv7 ids made from
-- the wall clock of the writer thread (time-ordered, and ordered within one
-- millisecond by the per-thread counter of core/id.c), so "ORDER BY id" is
-- creation order on both backends without an autoincrement column.
--
-- outbox: one row per event, written in the same transaction as the change
-- it describes. payload is the whole TMF v4 envelope as JSON text.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    api TEXT NOT NULL,
    event_type TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_ms, id);

-- hub_subscription: POST {api}/hub {callback, query}. query is "" (every
-- event of the API) or "eventType=A[,B...]".
CREATE TABLE hub_subscription (
    id TEXT PRIMARY KEY,
    api TEXT NOT NULL,
    callback TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    created_ms BIGINT NOT NULL
);
CREATE INDEX hub_subscription_api ON hub_subscription (api);

-- event_delivery: one row per (subscription, event), created with the event
-- (fan-out is transactional). status: pending | delivered | dead.
-- next_attempt_ms is wall-clock ms (CLOCK_REALTIME, not the injected
-- clock): 0 = due now. While a delivery is in flight it holds the lease
-- expiry, so a second dispatcher (another node) does not send it too.
CREATE TABLE event_delivery (
    subscription_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL DEFAULT 0,
    last_status BIGINT,
    last_error TEXT,
    updated_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (subscription_id, event_id)
);
CREATE INDEX event_delivery_due ON event_delivery (status, subscription_id, next_attempt_ms);
CREATE INDEX event_delivery_event ON event_delivery (event_id);
