-- 0013_inventory: the resource inventory (src/inventory, docs/inventory.md):
-- SIM cards and the MSISDN pool, held as typed rows rather than documents
-- (a pool holds hundreds of thousands of numbers, each a few columns; the
-- TMF639 API renders a row as a Resource document on read).
--
-- inv_sim: one row per SIM card. iccid is the digits only (19-20, Luhn
-- checked before it is stored) and the resource's id. ki, opc and codes
-- are sealed (core/seal.h: owner "sim:<iccid>:ki" ...) or NULL when the
-- operator's HSS holds the keys (--sim-keys hss); no API returns them.
-- codes holds PIN1/PUK1/PIN2/PUK2 as one sealed JSON object, shown once
-- (codes_shown_ms, codes_shown_by). state: available, reserved, assigned,
-- active, retired, lost, stolen. holder names what holds a reserved or
-- assigned SIM (an order, a reservation); held_until ends a reservation
-- (a reservation past it counts as available). product_id: the product
-- the SIM serves once assigned.
CREATE TABLE inv_sim (
    iccid TEXT PRIMARY KEY,
    imsi TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT,
    batch TEXT NOT NULL,
    warehouse TEXT,
    ki TEXT,
    opc TEXT,
    codes TEXT,
    codes_shown_ms BIGINT,
    codes_shown_by TEXT,
    holder TEXT,
    held_until BIGINT,
    product_id TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL
);
CREATE INDEX inv_sim_state ON inv_sim (state, profile);
CREATE INDEX inv_sim_batch ON inv_sim (batch);
CREATE INDEX inv_sim_holder ON inv_sim (holder);

-- inv_msisdn_range: a block of numbers added to the pool (bss inventory
-- add-range). prefix is the digits the range's numbers share, for the
-- "numbers left per prefix" report.
CREATE TABLE inv_msisdn_range (
    id TEXT PRIMARY KEY,
    first_number TEXT NOT NULL,
    last_number TEXT NOT NULL,
    prefix TEXT NOT NULL,
    category TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- inv_msisdn: one row per number (E.164 digits without '+': the resource's
-- id). state: available, reserved, assigned, active, quarantined, retired,
-- portedOut. A reservation past held_until and a quarantine past
-- quarantine_until count as available (no sweeper has to run first).
-- ported_in: a number that came from another operator (donor).
CREATE TABLE inv_msisdn (
    number TEXT PRIMARY KEY,
    range_id TEXT,
    prefix TEXT NOT NULL,
    category TEXT NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT,
    holder TEXT,
    held_until BIGINT,
    quarantine_until BIGINT,
    product_id TEXT,
    ported_in BIGINT NOT NULL,
    donor TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    row_version BIGINT NOT NULL
);
CREATE INDEX inv_msisdn_pick ON inv_msisdn (category, state, number);
CREATE INDEX inv_msisdn_prefix ON inv_msisdn (prefix, state);
CREATE INDEX inv_msisdn_holder ON inv_msisdn (holder);

-- inv_category: number categories beyond "standard" (golden, silver ...),
-- each with the one-time catalog price (a productOfferingPrice id) an
-- order for such a number adds.
CREATE TABLE inv_category (
    name TEXT PRIMARY KEY,
    price_id TEXT,
    description TEXT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- inv_history: every state change of a SIM or a number, and every showing
-- of a SIM's codes: who (key id and name, empty for the server), when,
-- from which state to which, why, and what asked (an order, a reservation).
CREATE TABLE inv_history (
    resource_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    holder TEXT,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    PRIMARY KEY (resource_id, seq)
);
