-- TMF671 promotion (src/api/tmf671.c), and the TMF620 import/export jobs
-- (at the end).
--
-- promotion: the generic resource table shape of
-- src/db/resource.h (id, doc, created_ms, updated_ms, row_version) plus the
-- typed columns name and lifecycle_status, copied from the document on
-- every write. The coupon-code uniqueness rule (no code shared by two live
-- promotions) is checked by the prepare hook in the write's transaction,
-- reading the live rows through lifecycle_status.
CREATE TABLE tmf671_promotion (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT
);
CREATE INDEX tmf671_promotion_name ON tmf671_promotion (name);
CREATE INDEX tmf671_promotion_lifecycle_status ON tmf671_promotion (lifecycle_status);

-- TMF620 importJob / exportJob (src/api/catalog_io_api.c): the same generic
-- resource shape, typed column status ("Running", "Succeeded", "Failed").
CREATE TABLE tmf620_import_job (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT
);
CREATE TABLE tmf620_export_job (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT
);
