-- TMF620 product catalog (src/api/tmf620_*.c): one table per resource kind in
-- the generic shape of src/db/resource.h (id, doc, created_ms, updated_ms,
-- row_version) plus typed columns copied from the document on every write,
-- so lists can filter on them in SQL and the catalog can check references.
CREATE TABLE tmf620_catalog (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT,
    version TEXT
);
CREATE INDEX tmf620_catalog_name ON tmf620_catalog (name);

CREATE TABLE tmf620_product_specification (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT,
    version TEXT
);
CREATE INDEX tmf620_product_specification_name ON tmf620_product_specification (name);
CREATE INDEX tmf620_product_specification_lifecycle_status ON tmf620_product_specification (lifecycle_status);

CREATE TABLE tmf620_product_offering (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT,
    version TEXT,
    is_bundle BIGINT,
    spec_id TEXT
);
CREATE INDEX tmf620_product_offering_name ON tmf620_product_offering (name);
CREATE INDEX tmf620_product_offering_lifecycle_status ON tmf620_product_offering (lifecycle_status);
CREATE INDEX tmf620_product_offering_spec_id ON tmf620_product_offering (spec_id);

CREATE TABLE tmf620_product_offering_price (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    lifecycle_status TEXT,
    version TEXT,
    price_type TEXT
);
CREATE INDEX tmf620_product_offering_price_name ON tmf620_product_offering_price (name);
CREATE INDEX tmf620_product_offering_price_price_type ON tmf620_product_offering_price (price_type);

CREATE TABLE tmf620_zone_table (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    kind TEXT
);

CREATE TABLE tmf620_time_band_plan (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT
);

-- Earlier versions of catalog documents (kind = the resource segment,
-- "productOffering", "productOfferingPrice"): a price change of an Active
-- document copies the old one here, valid [valid_from_ms, valid_to_ms);
-- the resource table holds the newest version.
CREATE TABLE tmf620_version (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    valid_from_ms BIGINT NOT NULL,
    valid_to_ms BIGINT,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id, version)
);

-- Product inventory, minimal: the order-management issue owns and extends
-- it. The catalog reads it only to refuse deleting an offering in use.
CREATE TABLE product (
    id TEXT PRIMARY KEY,
    offering_id TEXT,
    offering_version BIGINT,
    status TEXT,
    account_id TEXT,
    doc TEXT
);
CREATE INDEX product_offering_id ON product (offering_id);
