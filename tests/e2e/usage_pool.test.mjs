// usage_pool.test.mjs: a shared pool drawn by two lines of one account in
// one CDR chunk, against a real `bss serve --demo` on a test clock: the
// second line sees what the first one took (the pool is one bucket, not a
// copy per line), the pool ends at zero and never below, and the rest of
// the second session is charged as the line's overage. Then a line's
// buckets stay resident with it from one CDR batch to the next (read once,
// found in memory after), and a change another door makes is seen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, bss, runSql, tempDir } from './lib/server.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const T0 = '2026-06-03T10:00:00Z';
const GB = 1024 * 1024 * 1024;
let srv, dir, fam, acc;

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', T0], testClock: true });
  dir = tempDir('bss-pool-');
  fam = (await srv.request('GET', `${PROD}?status=active&productOffering.id=po-family-share`)).json
    .filter((p) => p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  acc = fam[0].billingAccount.id;
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const pool = async () => {
  const now = Date.parse(T0);
  const all = (await srv.request('GET', `${B}?partyAccount.id=${acc}&usageType=data&status=active`)).json
    .filter((b) => b.isShared && Date.parse(b.validFor.startDateTime) <= now && now < Date.parse(b.validFor.endDateTime));
  assert.equal(all.length, 1, JSON.stringify(all));
  return all[0];
};
const explain = async (id) => (await srv.request('GET', `/api/v1/usage/${id}/explain`)).json;

test('two lines draw one pool in one chunk: the second sees what the first took', async () => {
  assert.ok(fam.length >= 2);
  const p0 = await pool();
  const left = p0.remainedAmount.amount;
  const each = Math.floor(left / 2) + GB; // together a GB and more past the pool
  const msisdn = (p) => p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const f = path.join(dir, 'pool.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `pool-1,2026-06-03T08:00:00Z,${msisdn(fam[0])},data,,${each},byte\n`
    + `pool-2,2026-06-03T08:30:00Z,${msisdn(fam[1])},data,,${each},byte\n`);
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const x1 = await explain('pool-1'), x2 = await explain('pool-2');
  const t1 = x1.buckets.find((b) => b.bucket === p0.id), t2 = x2.buckets.find((b) => b.bucket === p0.id);
  assert.deepEqual([t1.before, t1.after], [left, left - each], 'the first session from the full pool');
  assert.deepEqual([t2.before, t2.after], [left - each, 0], 'the second from what the first left, down to zero');
  assert.ok(x2.rating.charge > 0, 'the rest of the second session is charged');
  const p1 = await pool();
  assert.equal(p1.remainedAmount.amount, 0, 'the pool is empty, not below');
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0', 'every bucket equals its ledger');
});

const metric = async (name) => {
  const t = (await srv.request('GET', '/metrics')).text;
  const m = t.match(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)`, 'm'));
  return m ? Number(m[1]) : NaN;
};

test('a line\'s buckets stay with it from batch to batch, and a change made elsewhere is seen', async () => {
  const line = (await srv.request('GET', `${PROD}?status=active&productOffering.id=po-prepaid-bundle-10`)).json
    .find((p) => p.productCharacteristic.some((c) => c.name === 'MSISDN')); // its plan's minutes: a bucket with an end
  const n = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const calls = (ids, at) => {
    const f = path.join(dir, `calls-${ids[0]}.csv`);
    fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
      + ids.map((id, i) => `${id},2026-06-03T0${at}:${String(i).padStart(2, '0')}:00Z,${n},voice,31687654321,60,s`).join('\n') + '\n');
    return f;
  };
  const hits0 = await metric('bss_charging_bucket_reads_total{from="hit"}');
  // a chunk a call, two chunks in flight: the writer still takes them in the file's order
  const ids = Array.from({ length: 12 }, (_, i) => `keep-${i + 1}`);
  const r = await bss(['usage', 'import', calls(ids, 7), '--chunk', '1', '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const hits1 = await metric('bss_charging_bucket_reads_total{from="hit"}');
  assert.ok(hits1 - hits0 >= 11, `every batch after the first found the line's buckets in memory (${hits0} -> ${hits1})`);
  const voice = async (id) => (await explain(id)).buckets.find((b) => b.bucketSource === 'plan');
  const seen = [];
  for (const id of ids) seen.push(await voice(id));
  for (let i = 1; i < seen.length; i++)
    assert.equal(seen[i].before, seen[i - 1].after, `${ids[i]} from where ${ids[i - 1]} left the bucket (the file's order)`);
  const c = seen[seen.length - 1];
  // another door changes the bucket: the next batch sees it (the change announced itself)
  const adj = await srv.request('POST', '/tmf-api/prepayBalanceManagement/v4/adjustBalance', {
    body: { amount: { amount: 10, units: 'minute' }, usageType: 'voice', bucket: { id: c.bucket }, reason: 'goodwill' },
    headers: { 'Idempotency-Key': 'keep-adj-1' },
  });
  assert.equal(adj.status, 201, adj.text);
  const s = await bss(['usage', 'import', calls(['keep-last'], 8), '--url', srv.url, '--key', srv.key]);
  assert.equal(s.code, 0, s.stderr + s.stdout);
  const d = await voice('keep-last');
  assert.equal(d.before, c.after + 600, 'the adjustment counted');
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0', 'every bucket equals its ledger');
});
