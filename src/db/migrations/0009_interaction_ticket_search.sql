-- Customer care (src/customer/interaction.c, ticket.c, search.c):
--
-- interaction: TMF683 party interactions (resource.h layout + typed columns).
-- tmf621_trouble_ticket: TMF621 trouble tickets (resource.h layout + typed columns).
-- care_ref: which customers, parties, accounts, products, tickets and orders an
--   interaction or ticket names (kind = 'interaction' | 'ticket'), one row per
--   referenced id, including ids reached one step further (the engaged party of
--   a named customer, the owners of a named billing account), so the customer
--   view, export and erasure find them with one indexed lookup on ref_id.
-- search_index: the customer search terms (search.c): names folded to
--   lower-case ASCII, e-mail, E.164 phone, account numbers, MSISDN, ICCID, ids.
--   Prefix search is a range scan term >= q AND term < q || U+10FFFF, which
--   needs byte order: SQLite compares TEXT bytewise (BINARY), PostgreSQL
--   gets COLLATE "C" below.
CREATE TABLE interaction (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    direction TEXT,
    reason TEXT,
    status TEXT,
    interaction_ms BIGINT
);
CREATE INDEX interaction_interaction_ms ON interaction (interaction_ms);
CREATE INDEX interaction_reason ON interaction (reason);

CREATE TABLE tmf621_trouble_ticket (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    status TEXT,
    severity TEXT,
    ticket_type TEXT,
    expected_resolution_ms BIGINT
);
CREATE INDEX tmf621_trouble_ticket_status ON tmf621_trouble_ticket (status);
CREATE INDEX tmf621_trouble_ticket_severity ON tmf621_trouble_ticket (severity);
CREATE INDEX tmf621_trouble_ticket_expected ON tmf621_trouble_ticket (expected_resolution_ms);

CREATE TABLE care_ref (
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    ref_type TEXT,
    sort_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, entity_id, ref_id)
);
CREATE INDEX care_ref_ref ON care_ref (ref_id, kind, sort_ms);

CREATE TABLE search_index (
    term TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    customer_id TEXT,
    field TEXT NOT NULL,
    display TEXT
);
-- postgres-only
ALTER TABLE search_index ALTER COLUMN term TYPE TEXT COLLATE "C";
-- end
-- Covering: a search reads the index only, in term order (term, kind, entity_id
-- is also the ORDER BY of a prefix scan, so LIMIT stops it early).
CREATE INDEX search_index_term ON search_index (term, kind, entity_id, field, customer_id, display);
CREATE INDEX search_index_entity ON search_index (entity_id, kind);
