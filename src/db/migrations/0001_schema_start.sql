-- The first migration: nothing but a marker that the store was created by bss.
CREATE TABLE bss_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
