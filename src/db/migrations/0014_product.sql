-- 0014_product: the product inventory (TMF637, src/order/product.c) takes
-- over the placeholder `product` table of 0005, which nothing ever wrote:
-- it becomes a document table in the layout of db/resource.h, keeping the
-- column names the catalog (offering_id, status) and the customer view
-- (account_id) already read.
DROP TABLE product;
CREATE TABLE product (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    offering_id TEXT,
    offering_version TEXT,
    account_id TEXT
);
CREATE INDEX product_offering_id ON product (offering_id);
CREATE INDEX product_account_id ON product (account_id);
CREATE INDEX product_status ON product (status);

-- product_identity: what identifies a live product on the network (its
-- MSISDN, ICCID, IMSI), one row per value while the product is not
-- terminated, cancelled or aborted: rating finds the product of a number
-- here, and the primary key keeps two live products from sharing one.
CREATE TABLE product_identity (
    value TEXT NOT NULL,
    kind TEXT NOT NULL,
    product_id TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX product_identity_product ON product_identity (product_id);
