-- 0027_audit_time: the access audit listed newest first without a filter
-- (GET /admin/v1/audit) read and sorted every row: by time, it reads a page.
-- (By resource or by key it already had its indexes; the list's statement
-- now names only the filters given, so it uses them: customer_store.c.)
CREATE INDEX access_audit_at ON access_audit (at_ms);
