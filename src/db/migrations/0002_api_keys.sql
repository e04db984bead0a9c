-- API keys (src/api/auth.c). Only a BLAKE2b-256 hash of each key is kept;
-- prefix ("bss_AbCd") lets people recognise a key in `bss key list`.
-- revoked_ms is NULL while the key is active. last_used_ms is reserved.
CREATE TABLE api_key (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    last_used_ms BIGINT
);
