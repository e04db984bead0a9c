-- 0026_inventory_range: the number ranges' list counts each range's free
-- numbers (src/inventory/inventory_store.c, GET .../range): without an
-- index on range_id every range scanned the whole number pool, so the
-- list cost ranges x numbers (50 ranges of 20,000 numbers: 50 million rows
-- read). By range and state, each range reads only its own numbers.
CREATE INDEX inv_msisdn_range_state ON inv_msisdn (range_id, state);
