-- 0011_doc_ref: which document refers to which (src/doc/doc.c). Every
-- document kind declares the members that name other documents
-- (bss_doc_kind.refs); every create and patch rewrites the rows of the
-- document it wrote, so a delete can refuse (409) while anything still
-- names its target, with one indexed lookup and for every reference kind
-- alike. to_kind '*' is a reference that may name several kinds (a
-- relatedParty). doc_ref_state holds the signature of the declarations the
-- rows were built from: bss serve rebuilds the rows when it changes.
CREATE TABLE doc_ref (
    to_kind TEXT NOT NULL,
    to_id TEXT NOT NULL,
    from_kind TEXT NOT NULL,
    from_id TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (to_kind, to_id, from_kind, from_id, path)
);
CREATE INDEX doc_ref_from ON doc_ref (from_kind, from_id);
CREATE INDEX doc_ref_to_id ON doc_ref (to_id);

CREATE TABLE doc_ref_state (
    name TEXT PRIMARY KEY,
    signature TEXT NOT NULL
);
