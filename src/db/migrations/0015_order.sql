-- 0015_order: product orders (TMF622, src/order): the order and cancel
-- request documents in the layout of db/resource.h, the client's
-- idempotency keys, and the provisioning tasks an order decomposes into.
CREATE TABLE tmf622_product_order (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    state TEXT,
    external_id TEXT,
    order_date_ms BIGINT,
    account_id TEXT,
    category TEXT,
    expected_ms BIGINT
);
CREATE INDEX tmf622_product_order_state ON tmf622_product_order (state);
CREATE INDEX tmf622_product_order_account ON tmf622_product_order (account_id);
CREATE INDEX tmf622_product_order_date ON tmf622_product_order (order_date_ms);

CREATE TABLE tmf622_cancel_product_order (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    state TEXT,
    order_id TEXT
);

-- order_submission: the client's externalId of an order and a hash of what
-- it sent, so the same order sent twice returns the first (one row, one
-- order) and the same externalId with other content is refused.
CREATE TABLE order_submission (
    external_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- order_task: the provisioning steps of an order's items (src/order/tasks.c).
-- seq orders them within the order; after names the step that must be done
-- first (0: none); state pending, running, done, failed, compensated,
-- skipped. A running task whose lease has ended (the server stopped) runs
-- again: every step is idempotent on (order_id, seq).
CREATE TABLE order_task (
    order_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    after_seq BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at_ms BIGINT NOT NULL,
    lease_until_ms BIGINT,
    started_ms BIGINT,
    finished_ms BIGINT,
    input TEXT NOT NULL,
    result TEXT,
    error TEXT,
    PRIMARY KEY (order_id, seq)
);
CREATE INDEX order_task_due ON order_task (state, next_at_ms);
