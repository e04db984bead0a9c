// rerate.test.mjs: re-rating a period after a tariff fix (POST
// /api/v1/usage/rerate, GET /api/v1/usage/rerate/{id}, `bss usage rerate`)
// against a real `bss serve --demo` on a test clock (Wednesday 2026-06-03
// 10:00 UTC). The pay-as-you-go line makes three national mobile calls at
// peak on Tuesday 2026-06-02 (12:00, 13:00 and 14:00 in Amsterdam), rated at
// 0.25 a minute in 60 s steps: 120 s = 0.50, 60 s = 0.25, 60 s = 0.25, 1.00
// from a 10.00 wallet. The third is then marked billed. The tariff is fixed
// to 0.20 a minute from 2026-06-01: the two unbilled calls now cost 0.40 and
// 0.20 (their rows are rewritten, the wallet gets 0.15 back), the billed one
// keeps its row and gets an adjustment of -0.05 for the next bill instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, expectError, runSql, bss, tempDir, newApiKey } from './lib/server.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const H = '/tmf-api/prepayBalanceManagement/v4/balanceActionHistory';
const POP = '/tmf-api/productCatalogManagement/v4/productOfferingPrice/pop-voice-payg';
const RR = '/api/v1/usage/rerate';
const FROM = '2026-06-01T00:00:00Z', TO = '2026-06-03T10:00:00Z';
let srv, dir, m, account;

const wallet = async () => (await srv.request('GET', `${B}?logicalResource.id=${m}&usageType=monetary`)).json[0];
const rerate = (body, key) => srv.request('POST', RR, { body, headers: key ? { 'Idempotency-Key': key } : {} });
const explain = async (id) => {
  const r = await srv.request('GET', `/api/v1/usage/${id}/explain`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
// every running total still equals the usage rows it sums, every bucket its ledger
async function consistent() {
  const totals = await runSql(srv, `SELECT COALESCE(SUM(charge),0) || ' ' || COALESCE(SUM(wallet),0) || ' ' || COALESCE(SUM(events),0) FROM usage_total WHERE account_id = '${account}'`);
  const rows = await runSql(srv, `SELECT COALESCE(SUM(charge),0) || ' ' || COALESCE(SUM(wallet),0) || ' ' || COUNT(*) FROM usage_record WHERE account_id = '${account}' AND status IN ('rated','billed')`);
  assert.equal(totals, rows, 'usage_total equals the sum of its usage rows');
  const off = await runSql(srv, `SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(l.delta),0) FROM balance_ledger l WHERE l.bucket_id = b.id)`);
  assert.equal(off, '0', 'every bucket equals the sum of its ledger');
}

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', TO], testClock: true });
  dir = tempDir('bss-rerate-');
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const p = all.find((x) => x.productOffering.id === 'po-prepaid-payg' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  account = p.billingAccount.id;
  const f = path.join(dir, 'calls.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `rr-1,2026-06-02T10:00:00Z,${m},voice,31687654321,120,s\n`
    + `rr-2,2026-06-02T11:00:00Z,${m},voice,31687654321,60,s\n`
    + `rr-3,2026-06-02T12:00:00Z,${m},voice,31687654321,60,s\n`);
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /3 rated, 0 rejected, 0 duplicates, charged 1 EUR/);
  // rr-3 went on a bill (what the bill run will do; it has no API that marks one usage yet)
  await runSql(srv, `UPDATE usage_record SET status = 'billed' WHERE id = 'rr-3'`);
  // the tariff fix: 0.20 a minute from June 1st
  const pop = (await srv.request('GET', POP)).json;
  pop.usage.rates.find((x) => x.zone === 'national-mobile' && x.band === 'peak').price.value = 0.2;
  const u = await srv.request('PATCH', POP, { body: { usage: pop.usage, validFor: { startDateTime: FROM } },
    headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(u.status, 200, u.text);
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

test('a dry run shows the deltas and changes nothing', async () => {
  const w0 = await wallet();
  assert.equal(w0.remainedAmount.amount, 9);
  const r = await rerate({ account, from: FROM, to: TO, dryRun: true });
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.equal(a.dryRun, true);
  assert.deepEqual([a.account, a.events, a.changed, a.unchanged, a.notRated], [account, 3, 2, 0, 0]);
  // before and after count every usage of the period, the billed one too; its part is the adjustment
  assert.deepEqual([a.currency, a.before, a.after, a.delta], ['EUR', 1, 0.8, -0.2]);
  assert.deepEqual(a.adjustments, { count: 1, amount: -0.05 });
  const ch = Object.fromEntries(a.changes.map((c) => [c.usage, c]));
  assert.deepEqual([ch['rr-1'].before, ch['rr-1'].after, ch['rr-1'].delta], [0.5, 0.4, -0.1]);
  assert.deepEqual([ch['rr-2'].before, ch['rr-2'].after, ch['rr-2'].delta], [0.25, 0.2, -0.05]);
  assert.equal(ch['rr-3'].status, 'adjusted');
  assert.equal(ch['rr-1'].status, 'rerated');
  assert.equal(ch['rr-3'].delta, -0.05);
  // nothing stored: the wallet, the usage, no run to read back
  assert.deepEqual((await wallet()).remainedAmount, w0.remainedAmount);
  assert.equal((await explain('rr-1')).rating.charge, 0.5);
  assert.equal((await srv.request('GET', `${RR}/${a.id}`)).status, 404);
  await consistent();
});

test('re-rating changes money only with an Idempotency-Key', async () => {
  expectError(await rerate({ account, from: FROM, to: TO }), 400, 'INVALID', 'Idempotency-Key', 'no key');
  expectError(await rerate({ account, from: FROM, to: TO }, 'x'.repeat(129)), 400, 'INVALID', 'Idempotency-Key', 'long key');
  expectError(await rerate({ account, from: FROM, to: TO }, 'a b'), 400, 'INVALID', 'Idempotency-Key', 'key with a space');
  assert.equal((await wallet()).remainedAmount.amount, 9);
});

test('the real run rewrites the unbilled usage, gives the wallet back the difference and adjusts the billed one', async () => {
  const r = await rerate({ account, from: FROM, to: TO }, 'fix-june');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['idempotent-replay'], undefined);
  const a = r.json;
  assert.deepEqual([a.dryRun, a.events, a.changed, a.before, a.after, a.delta], [false, 3, 2, 1, 0.8, -0.2]);
  assert.deepEqual(a.adjustments, { count: 1, amount: -0.05 });
  assert.equal((await wallet()).remainedAmount.amount, 9.15);
  // the usage says what it cost before and why it changed
  const e1 = await explain('rr-1');
  assert.equal(e1.rating.charge, 0.4);
  assert.equal(e1.rerating.id, a.id);
  assert.match(e1.rerating.href, new RegExp(`/api/v1/usage/rerate/${a.id}$`));
  assert.equal(e1.rerating.previous.charge, 0.5);
  assert.equal(e1.rerating.previous.fromWallet, 0.5);
  assert.equal((await srv.request('GET', '/tmf-api/usageManagement/v4/usage/rr-2')).json.ratedProductUsage[0].taxExcludedRatingAmount.value, 0.2);
  // the billed one is untouched: its adjustment waits for the next bill
  const e3 = await explain('rr-3');
  assert.equal(e3.status, 'billed');
  assert.equal(e3.rating.charge, 0.25);
  assert.equal(e3.rerating.previous, undefined);
  assert.deepEqual(e3.rerating.adjustments.map((x) => [x.rerateId, x.amount, x.chargeBefore, x.chargeAfter, x.status]),
    [[a.id, -0.05, 0.25, 0.2, 'open']]);
  // the wallet's ledger names the run
  const hist = (await srv.request('GET', `${H}?logicalResource.id=${m}`)).json;
  const row = hist.find((x) => x.action === 'rerate');
  assert.ok(row, JSON.stringify(hist));
  assert.equal(row.amount.amount, 0.15);
  assert.equal(row.remainedAmount.amount, 9.15);
  const src = JSON.stringify(row);
  assert.match(src, /"UsageRerate"/);
  assert.match(src, new RegExp(`/api/v1/usage/rerate/${a.id}`));
  // the run reads back as it answered
  const g = await srv.request('GET', `${RR}/${a.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, a);
  await consistent();
});

test('the same key answers the first run again; another period under it is refused; a second run finds nothing to change', async () => {
  const first = (await srv.request('GET', `/api/v1/usage/rr-1/explain`)).json.rerating.id;
  const again = await rerate({ account, from: FROM, to: TO }, 'fix-june');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.equal(again.json.id, first);
  expectError(await rerate({ account, from: '2026-05-01T00:00:00Z', to: TO }, 'fix-june'), 409, 'CONFLICT', 'Idempotency-Key', 'key reused');
  const second = await rerate({ account, from: FROM, to: TO }, 'fix-june-2');
  assert.equal(second.status, 200, second.text);
  assert.deepEqual([second.json.events, second.json.changed, second.json.unchanged, second.json.delta], [3, 0, 3, 0]);
  assert.deepEqual(second.json.adjustments, { count: 0, amount: 0 });
  assert.equal((await wallet()).remainedAmount.amount, 9.15);
  assert.equal((await explain('rr-3')).rerating.adjustments.length, 1);
  assert.equal(await runSql(srv, `SELECT COUNT(*) FROM usage_adjustment WHERE account_id = '${account}'`), '1');
  await consistent();
});

test('bad re-rating requests answer their exact errors', async () => {
  const ok = { account, from: FROM, to: TO, dryRun: true };
  expectError(await rerate({ ...ok, account: 'no-such-account' }), 404, 'NOT_FOUND', 'account', 'unknown account');
  expectError(await rerate({ ...ok, account: undefined }), 400, 'INVALID', 'account', 'no account');
  expectError(await rerate({ ...ok, account: 7 }), 400, 'INVALID', 'account', 'account not a string');
  expectError(await rerate({ ...ok, from: undefined }), 400, 'INVALID', 'from', 'no from');
  expectError(await rerate({ ...ok, from: 'yesterday' }), 400, 'INVALID', 'from', 'from not a time');
  expectError(await rerate({ ...ok, to: FROM }), 400, 'INVALID', 'to', 'empty period');
  expectError(await rerate({ ...ok, from: TO, to: FROM }), 400, 'INVALID', 'to', 'backwards');
  expectError(await rerate({ ...ok, from: '2025-01-01T00:00:00Z' }), 400, 'INVALID', 'to', 'more than 400 days');
  expectError(await rerate({ ...ok, dryRun: 'yes' }), 400, 'INVALID', 'dryRun', 'dryRun not a boolean');
  expectError(await rerate([ok]), 400, 'INVALID', undefined, 'not an object');
  expectError(await srv.request('GET', `${RR}/no-such-run`), 404, 'NOT_FOUND', 'id', 'unknown run');
  // a care agent reads usage but does not re-rate it, nor does the network
  for (const role of ['agent', 'network']) {
    const r = await srv.request('POST', RR, { body: ok, key: await newApiKey(srv, role, `rr-${role}`) });
    expectError(r, 403, 'FORBIDDEN', undefined, role);
  }
});

test('bss usage rerate prints the run, its deltas and the key', async () => {
  const dry = await bss(['usage', 'rerate', '--account', account, '--from', FROM, '--to', TO, '--dry-run', '--url', srv.url, '--key', srv.key]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^dry run \S+, account /);
  assert.match(dry.stdout, /3 events, 0 changed/);
  const real = await bss(['usage', 'rerate', '--account', account, '--from', FROM, '--to', TO, '--idempotency-key', 'fix-june',
    '--url', srv.url, '--key', srv.key]);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /^re-rated \S+, account .*: 3 events, 2 changed/);
  assert.match(real.stdout, /charged before 1 EUR, after 0\.8 EUR, delta -0\.2 EUR; billed usage: 1 adjustments, -0\.05 EUR/);
  assert.match(real.stdout, /rr-1 .* 0\.5 -> 0\.4 +-0\.1/);
  assert.match(real.stdout, /Idempotency-Key fix-june/);
  const json = await bss(['usage', 'rerate', '--account', account, '--from', FROM, '--to', TO, '--dry-run', '--json', '--url', srv.url, '--key', srv.key]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).changed, 0);
  const bad = await bss(['usage', 'rerate', '--account', account, '--from', FROM, '--url', srv.url, '--key', srv.key]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /give --account ID \(re-rate for real; --dry-run to see first\) or --what-if CATALOG\.json, with --from and --to/);
});

// The Bundle 10 line's 100 national minutes should have covered calls to the
// EU (roam-like-at-home marketing said so; the catalog forgot the zone). A
// national call took 120 s of the allowance, a 120 s call to Germany paid
// 0.23 a minute from the wallet (60 s first, then per second: 0.46). The fix
// adds international-eu to the allowance's zones, from the start of the
// bucket's cycle (a bucket keeps the allowance version in force when its
// cycle began): re-rating gives both takes
// back and rates again in time order, so the German call now takes 120 s of
// the allowance (2 x 120 s gone) and the wallet gets its 0.46 back.
test('a fixed allowance moves the charge from the wallet to the bucket, in time order', async () => {
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const p = all.find((x) => x.productOffering.id === 'po-prepaid-bundle-10' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  const b = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const acct = p.billingAccount.id;
  const list = async () => (await srv.request('GET', `${B}?logicalResource.id=${b}`)).json;
  const buckets = async () => Object.fromEntries((await list()).map((x) => [x.usageType, x.remainedAmount]));
  const b0 = await buckets();
  // a bucket keeps the allowance version in force when its cycle began: the fix is valid from then
  const cycle = (await list()).find((x) => x.usageType === 'voice').validFor.startDateTime;
  const f = path.join(dir, 'bundle.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `rb-1,2026-06-02T08:00:00Z,${b},voice,31687654321,120,s\n`
    + `rb-2,2026-06-02T09:00:00Z,${b},voice,4930123456,120,s\n`);
  const imp = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(imp.code, 0, imp.stderr + imp.stdout);
  assert.match(imp.stdout, /2 rated, 0 rejected, 0 duplicates, charged 0\.46 EUR/);
  const b1 = await buckets();
  assert.equal(b1.voice.amount, b0.voice.amount - 120);
  assert.equal(Math.round((b0.monetary.amount - b1.monetary.amount) * 100), 46);

  const A = '/tmf-api/productCatalogManagement/v4/productOfferingPrice/pop-prepaid-10-minutes';
  const al = (await srv.request('GET', A)).json.allowance;
  al.zones.push('international-eu');
  const u = await srv.request('PATCH', A, { body: { allowance: al, validFor: { startDateTime: cycle } },
    headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(u.status, 200, u.text);

  const r = await rerate({ account: acct, from: FROM, to: TO }, 'fix-eu-minutes');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.events, r.json.changed, r.json.unchanged, r.json.before, r.json.after, r.json.delta],
    [2, 1, 1, 0.46, 0, -0.46]);
  const ch = r.json.changes;
  assert.deepEqual(ch.map((c) => [c.usage, c.before, c.after]), [['rb-2', 0.46, 0]]);
  const moved = Object.fromEntries(r.json.buckets.map((x) => [x.bucket, x.delta]));
  assert.equal(Object.keys(moved).length, 2, JSON.stringify(r.json.buckets));
  const b2 = await buckets();
  assert.equal(b2.voice.amount, b0.voice.amount - 240);
  assert.deepEqual(b2.monetary, b0.monetary);
  const e2 = await explain('rb-2');
  assert.equal(e2.rating.charge, 0);
  assert.equal(e2.rating.coveredUnits, 120);
  assert.equal(e2.rerating.previous.fromWallet, 0.46);
  // rb-1 kept its row: same bucket, same amount
  assert.equal((await explain('rb-1')).rerating, undefined);
  await consistent();
});

test('a re-rating past its bounds is refused whole: more than 256 lines on the account, more than 100,000 events', async () => {
  const ok = { account, from: FROM, to: TO, dryRun: true };
  const n = (k) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${k})`;
  // 256 more lines on the account (it has one): 257
  await runSql(srv, `${n(256)} INSERT INTO product (id, doc, created_ms, updated_ms, row_version, status, offering_id, account_id) `
    + `SELECT 'rr-many-' || i, '{}', 0, 0, 1, 'active', 'po-prepaid-payg', '${account}' FROM n`);
  await runSql(srv, `${n(256)} INSERT INTO product_identity (value, kind, product_id) SELECT '3199900' || (1000 + i), 'MSISDN', 'rr-many-' || i FROM n`);
  let r = await rerate(ok);
  expectError(r, 422, 'UNPROCESSABLE', 'account', 'too many lines');
  assert.equal(r.json.message, `account ${account} has more than 256 lines: re-rating takes at most that many at once`);
  await runSql(srv, "DELETE FROM product_identity WHERE product_id LIKE 'rr-many-%'");
  await runSql(srv, "DELETE FROM product WHERE id LIKE 'rr-many-%'");
  // 100,000 copies of a call beside the period's own usage: 100,003 events
  const cols = 'status, reason_code, reason, attempts, source, source_ref, msisdn, service, destination, quantity, unit, '
    + 'rating_group, visited_plmn, account_id, product_id, offering_id, offering_version, price_id, zone, time_band, '
    + 'roaming_zone, rated_units, covered_units, charge, wallet, billed, unpaid, currency, throttle, period_start, trace, '
    + 'takes, doc, created_ms, updated_ms, row_version';
  await runSql(srv, `${n(100000)} INSERT INTO usage_record (id, start_ms, ${cols}) SELECT 'rr-bulk-' || i, start_ms + i, ${cols} `
    + "FROM usage_record, n WHERE id = 'rr-2'");
  const before = await runSql(srv, `SELECT COUNT(*) FROM usage_record WHERE account_id = '${account}'`);
  r = await rerate({ ...ok, dryRun: false }, 'rr-too-many');
  expectError(r, 422, 'UNPROCESSABLE', 'to', 'too many events');
  assert.equal(r.json.message, 'the period holds more than 100000 usage events: re-rate it in shorter periods');
  assert.equal(await runSql(srv, `SELECT COUNT(*) FROM usage_record WHERE account_id = '${account}'`), before, 'nothing written');
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM usage_adjustment WHERE usage_id LIKE 'rr-bulk-%'"), '0');
  await runSql(srv, "DELETE FROM usage_record WHERE id LIKE 'rr-bulk-%'");
  await consistent();
});
