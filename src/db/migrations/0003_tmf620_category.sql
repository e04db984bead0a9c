-- TMF620 category (src/api/tmf620.c): the generic resource table shape of
-- src/db/resource.h (id, doc, created_ms, updated_ms, row_version) plus the
-- typed columns name and lifecycle_status, copied from the document on
-- every write so lists can filter on them in SQL.
CREATE TABLE tmf620_category (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT
);
CREATE INDEX tmf620_category_name ON tmf620_category (name);
CREATE INDEX tmf620_category_lifecycle_status ON tmf620_category (lifecycle_status);
