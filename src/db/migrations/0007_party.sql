-- TMF632 parties, consent and the access audit (src/customer/party.c,
-- consent.c, audit.c).
--
-- tmf632_individual / tmf632_organization: the generic resource table shape
-- of src/db/resource.h (id, doc, created_ms, updated_ms, row_version) plus
-- typed columns copied from the document on every write: the names the
-- TMF632 kit filters on (givenName, familyName, tradingName), the status
-- and, for organizations, the parent of the hierarchy.
CREATE TABLE tmf632_individual (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    given_name TEXT,
    family_name TEXT,
    status TEXT
);
CREATE INDEX tmf632_individual_given_name ON tmf632_individual (given_name);
CREATE INDEX tmf632_individual_family_name ON tmf632_individual (family_name);
CREATE INDEX tmf632_individual_status ON tmf632_individual (status);

CREATE TABLE tmf632_organization (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL,
    trading_name TEXT,
    name TEXT,
    status TEXT,
    parent_id TEXT
);
CREATE INDEX tmf632_organization_trading_name ON tmf632_organization (trading_name);
CREATE INDEX tmf632_organization_name ON tmf632_organization (name);
CREATE INDEX tmf632_organization_status ON tmf632_organization (status);
CREATE INDEX tmf632_organization_parent_id ON tmf632_organization (parent_id);

-- Identification documents of parties (passport, national id card, company
-- registration), kept in step with the party documents by their prepare
-- hooks: one number belongs to one party (type lower-cased, number
-- upper-cased without spaces or dashes, issuing country '' when unknown).
CREATE TABLE party_identification (
    party_id TEXT NOT NULL,
    party_kind TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    issuing_country TEXT NOT NULL,
    UNIQUE (id_type, id_number, issuing_country)
);
CREATE INDEX party_identification_party_id ON party_identification (party_id);

-- Consent history, append-only: one row per grant or withdrawal. The
-- current state of (party, purpose, channel) is its row with the highest
-- seq (1, 2, ... per triple, assigned in the write's transaction).
CREATE TABLE party_consent (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL,
    seq BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    source TEXT NOT NULL,
    wording_version TEXT NOT NULL,
    recorded_by TEXT,
    note TEXT,
    UNIQUE (party_id, purpose, channel, seq)
);

-- Who read whose personal data, and when (src/customer/audit.h).
CREATE TABLE access_audit (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    key_id TEXT,
    key_name TEXT,
    action TEXT NOT NULL,
    resource_kind TEXT NOT NULL,
    resource_id TEXT
);
CREATE INDEX access_audit_resource_id ON access_audit (resource_id, at_ms);
CREATE INDEX access_audit_key_id ON access_audit (key_id, at_ms);
