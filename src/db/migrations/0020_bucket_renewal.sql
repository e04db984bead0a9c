-- 0020_bucket_renewal: the renewal of buckets per cycle (src/charging/cycle.c):
-- which active buckets end soon is read by the end of their validity.
CREATE INDEX bucket_active_to ON bucket (valid_to) WHERE status = 'active';
