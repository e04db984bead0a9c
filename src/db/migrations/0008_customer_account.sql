-- TMF629 customers and TMF666 accounts (src/customer/customer_res.c,
-- src/customer/account*.c): one table per resource kind in the generic shape
-- of src/db/resource.h (id, doc, created_ms, updated_ms, row_version) plus
-- typed columns copied from the document on every write, so lists filter on
-- them in SQL and the engine (billing, search, the customer view) can find
-- a customer's accounts, an account by its number, the children of a
-- corporate parent account.
CREATE TABLE tmf629_customer (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    status TEXT,
    engaged_party_id TEXT,
    segment TEXT,
    credit_class TEXT,
    customer_since BIGINT
);
CREATE INDEX tmf629_customer_name ON tmf629_customer (name);
CREATE INDEX tmf629_customer_status ON tmf629_customer (status);
CREATE INDEX tmf629_customer_engaged_party_id ON tmf629_customer (engaged_party_id);

CREATE TABLE tmf666_billing_account (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    state TEXT,
    account_number TEXT,
    currency TEXT,
    bill_cycle_day BIGINT,
    parent_id TEXT,
    customer_id TEXT
);
CREATE INDEX tmf666_billing_account_name ON tmf666_billing_account (name);
CREATE UNIQUE INDEX tmf666_billing_account_number ON tmf666_billing_account (account_number);
CREATE INDEX tmf666_billing_account_parent_id ON tmf666_billing_account (parent_id);
CREATE INDEX tmf666_billing_account_customer_id ON tmf666_billing_account (customer_id);
CREATE INDEX tmf666_billing_account_cycle ON tmf666_billing_account (bill_cycle_day, state);

CREATE TABLE tmf666_party_account (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    state TEXT,
    account_number TEXT,
    customer_id TEXT
);
CREATE INDEX tmf666_party_account_name ON tmf666_party_account (name);
CREATE UNIQUE INDEX tmf666_party_account_number ON tmf666_party_account (account_number);
CREATE INDEX tmf666_party_account_customer_id ON tmf666_party_account (customer_id);

CREATE TABLE tmf666_financial_account (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    state TEXT,
    account_number TEXT,
    customer_id TEXT
);
CREATE INDEX tmf666_financial_account_name ON tmf666_financial_account (name);
CREATE UNIQUE INDEX tmf666_financial_account_number ON tmf666_financial_account (account_number);
CREATE INDEX tmf666_financial_account_customer_id ON tmf666_financial_account (customer_id);

CREATE TABLE tmf666_settlement_account (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    state TEXT,
    account_number TEXT,
    customer_id TEXT
);
CREATE INDEX tmf666_settlement_account_name ON tmf666_settlement_account (name);
CREATE UNIQUE INDEX tmf666_settlement_account_number ON tmf666_settlement_account (account_number);
CREATE INDEX tmf666_settlement_account_customer_id ON tmf666_settlement_account (customer_id);

CREATE TABLE tmf666_bill_format (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT
);
CREATE INDEX tmf666_bill_format_name ON tmf666_bill_format (name);

CREATE TABLE tmf666_billing_cycle_spec (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT,
    frequency TEXT,
    bill_cycle_day BIGINT
);
CREATE INDEX tmf666_billing_cycle_spec_name ON tmf666_billing_cycle_spec (name);

CREATE TABLE tmf666_bill_presentation_media (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    name TEXT
);
CREATE INDEX tmf666_bill_presentation_media_name ON tmf666_bill_presentation_media (name);

-- The standard ways a bill reaches its receiver. Their ids are the names so
-- that a billing account can say billStructure.presentationMedia [{"id":
-- "email"}]; a migration does not know the server's public URL, so their
-- hrefs are relative (media added later through the API get absolute ones).
INSERT INTO tmf666_bill_presentation_media (id, doc, created_ms, updated_ms, row_version, name) VALUES
('email', '{"id":"email","href":"/tmf-api/accountManagement/v4/billPresentationMedia/email","name":"email","description":"The bill as a PDF attached to an e-mail to the bill receiver''s address","@type":"BillPresentationMedia"}', 0, 0, 1, 'email'),
('paper', '{"id":"paper","href":"/tmf-api/accountManagement/v4/billPresentationMedia/paper","name":"paper","description":"The bill printed and posted to the bill receiver''s postal address","@type":"BillPresentationMedia"}', 0, 0, 1, 'paper'),
('portal', '{"id":"portal","href":"/tmf-api/accountManagement/v4/billPresentationMedia/portal","name":"portal","description":"The bill published in the self-care portal, with a notification","@type":"BillPresentationMedia"}', 0, 0, 1, 'portal');

-- Server-assigned human account numbers (BA-000001, PA-..., FA-..., SA-...):
-- one counter per prefix, bumped inside the write's transaction (a row lock
-- on PostgreSQL, the single writer on SQLite), so two nodes never hand out
-- the same number; the unique indexes above are the last line of defence.
CREATE TABLE tmf666_account_seq (
    prefix TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);
INSERT INTO tmf666_account_seq (prefix, last_value) VALUES ('BA', 0), ('PA', 0), ('FA', 0), ('SA', 0);
