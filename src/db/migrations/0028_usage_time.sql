-- 0028_usage_time: usage by time across lines: the TMF635 list without a
-- line (newest first, a period, a status, an account...), its total, and
-- what-if pricing's period read every usage row ever stored. CDR files
-- come in time order, so this index grows at its end: a 200,000-record
-- import measured the same with it (docs/benchmarks.md). An index by
-- account was measured too and left out: it is written in random order,
-- 5-25 % of the import with 27 accounts, more with a million.
CREATE INDEX usage_record_start ON usage_record (start_ms);
