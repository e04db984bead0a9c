-- product.start_ms: the product's startDate (ms), a typed column like its
-- status and offering, so the charging engine reads a line without parsing
-- the product's document (order.h bss_product_line_find). Filled here from
-- the documents; a startDate neither store can read stays NULL, and such a
-- row is read from its document (as every row was before).
ALTER TABLE product ADD COLUMN start_ms BIGINT;
-- sqlite-only
UPDATE product SET start_ms = CAST(strftime('%s', json_extract(doc, '$.startDate')) AS INTEGER) * 1000 +
                              CAST(substr(strftime('%f', json_extract(doc, '$.startDate')), 4) AS INTEGER)
 WHERE json_type(doc, '$.startDate') = 'text' AND strftime('%s', json_extract(doc, '$.startDate')) IS NOT NULL;
-- end
-- postgres-only
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT id, doc::jsonb ->> 'startDate' AS s FROM product
            WHERE jsonb_typeof(doc::jsonb -> 'startDate') = 'string' LOOP
    BEGIN
      UPDATE product SET start_ms = (EXTRACT(EPOCH FROM r.s::timestamptz) * 1000)::bigint WHERE id = r.id;
    EXCEPTION WHEN others THEN
      NULL;
    END;
  END LOOP;
END $$;
-- end
