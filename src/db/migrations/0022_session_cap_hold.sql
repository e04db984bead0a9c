-- 0022_session_cap_hold: a postpaid line's spending cap across its open
-- sessions (src/charging/session.c). held_billed is what an open session
-- would bill if it used all it has been granted (used units and granted
-- ones, each quota rated whole); what it really billed reaches usage_total
-- at its end. A grant on a capped line leaves room for the period's billed
-- usage and every other open session's held_billed, so concurrent sessions
-- and several rating groups in one request never bill past the cap.
ALTER TABLE charging_session ADD COLUMN held_billed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX charging_session_product ON charging_session (product_id) WHERE state = 'open';
