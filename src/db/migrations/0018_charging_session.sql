-- 0018_charging_session: online charging (src/charging/session.c,
-- docs/charging.md "Online charging").
--
-- charging_session: a session of the network (a Diameter Gy/Ro session, a
-- call, a data session): its line, its state and, per service (rating
-- group), the quota state in doc: the units used so far, what they were
-- charged, what they took from each bucket. Reservations of its granted
-- units are rows of balance_reservation (source_kind 'session').
--   state   open | closed
--   last_request  the highest request number answered
CREATE TABLE charging_session (
    id TEXT PRIMARY KEY,
    msisdn TEXT NOT NULL,
    account_id TEXT,
    product_id TEXT,
    state TEXT NOT NULL,
    last_request BIGINT NOT NULL,
    start_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL
);
CREATE INDEX charging_session_open ON charging_session (expires_ms) WHERE state = 'open';
CREATE INDEX charging_session_msisdn ON charging_session (msisdn, start_ms);

-- charging_request: the answer given to each request of a session (its
-- number) or one-shot event: a retransmission is answered from here and
-- never charged twice.
CREATE TABLE charging_request (
    session_id TEXT NOT NULL,
    request_number BIGINT NOT NULL,
    answer TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (session_id, request_number)
);
