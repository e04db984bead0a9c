-- 0024_session_purge: what online charging sessions leave behind can be
-- removed oldest first without reading the tables (session.c bss_cc_purge,
-- run by the charging cycle): released session holds by their release
-- time, and stored answers by the time they were given.
CREATE INDEX balance_reservation_released ON balance_reservation (updated_ms)
    WHERE state = 'released' AND source_kind = 'session';
CREATE INDEX charging_request_created ON charging_request (created_ms);
