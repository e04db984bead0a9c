-- 0012_doc_history: who changed which business document, when, and how
-- (src/doc/history.c). One row per create, patch, delete or erasure of a
-- document of any kind, written in the same transaction as the change.
-- seq counts the document's changes from 1. changes is JSON: the members
-- that changed, with their values before and after for kinds that hold no
-- personal data (a price from 20 to 0.01); member names only otherwise.
-- key_* name the API key (empty when the server itself wrote: demo seeding);
-- via says which door the change came through (api, import, erasure ...);
-- note holds an erasure's reason.
CREATE TABLE doc_history (
    kind TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    action TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    key_role TEXT NOT NULL,
    via TEXT NOT NULL,
    note TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (kind, doc_id, seq)
);
