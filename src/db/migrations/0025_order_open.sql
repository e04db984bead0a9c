-- 0025_order_open: the open orders past their expected completion are
-- counted every 5 s by a writer job (src/order/tasks.c, /metrics
-- bss_orders_overdue) and listed by GET /api/v1/orders/overdue. Without
-- an index that was a scan of every order ever taken, on the writer,
-- growing with the store's history; the partial index holds only the open
-- ones, by when they are due, with the very predicate the queries use.
CREATE INDEX tmf622_product_order_open ON tmf622_product_order (expected_ms)
    WHERE state NOT IN ('completed', 'partial', 'failed', 'rejected', 'cancelled');
