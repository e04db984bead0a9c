// inventory.test.mjs: SIM cards and the MSISDN pool (src/inventory, src/api/tmf639.c,
// docs/inventory.md) against a real `bss serve` with a test clock: a SIM batch
// file imported all or nothing with a report of every rejected row and its
// line, partial imports, secrets never shown (Ki/OPc nowhere, PIN/PUK once),
// number ranges and categories with a catalog price, reservations that end
// by themselves, racing reservations of one number (exactly one wins), staff
// status changes and their history, lists, stats, and `bss inventory`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, expectError, created, newApiKey, bss, tempDir } from './lib/server.mjs';

const RES = '/tmf-api/resourceInventoryManagement/v4/resource';
const RESV = '/api/v1/inventory/reservations';
const IMPORT = '/admin/v1/inventory/sims/import';
const POP = '/tmf-api/productCatalogManagement/v4/productOfferingPrice';

let srv;
let agentKey;
let readKey;

// An ICCID from 18 digits of body: the Luhn check digit appended.
export function iccid(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
const sim = (n) => iccid(`8931440000000${String(n).padStart(5, '0')}`);
const imsi = (n) => `20404${String(n).padStart(10, '0')}`;
const ki = (n) => n.toString(16).padStart(32, '0');
const HEADER = 'iccid,imsi,ki,opc,pin1,puk1,profile';
const row = (n, profile = 'physical') => `${sim(n)},${imsi(n)},${ki(n)},${'ab'.repeat(16)},1234,${String(10000000 + n)},${profile}`;

const csv = (text, q = '', key) => srv.request('POST', IMPORT + q, { body: text, key, headers: { 'content-type': 'text/csv' } });
const get = (id, key) => srv.request('GET', `${RES}/${id}`, { key });

before(async () => {
  srv = await startServer({ args: ['--test-clock-start', '2026-05-04T10:00:00Z', '--default-country', 'NL', '--inventory-warn', '100'], testClock: true });
  agentKey = await newApiKey(srv, 'agent', 'Alice Agent');
  readKey = await newApiKey(srv, 'readonly', 'Auditor');
});
after(async () => { await stopServer(srv); });

test('a SIM batch file is imported; no API shows Ki, OPc or the codes', async () => {
  const file = `imsi,iccid,ki,opc,pin1,puk1,profile,warehouse\n${[1, 2, 3].map((n) => `${imsi(n)},${sim(n)},${ki(n)},${'ab'.repeat(16)},1234,1234567${n},physical,Utrecht`).join('\n')}\n${imsi(4)},${sim(4)},${ki(4)},${'ab'.repeat(16)},,,esim,\n`;
  const r = await csv(file, '?batch=B-2026-05');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual({ read: r.json.read, imported: r.json.imported, rejected: r.json.rejected, batch: r.json.batch },
    { read: 4, imported: 4, rejected: 0, batch: 'B-2026-05' });
  const s = await get(sim(1), readKey);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json['@type'], 'SimCard');
  assert.equal(s.json.resourceStatus, 'available');
  const ch = Object.fromEntries(s.json.resourceCharacteristic.map((c) => [c.name, c.value]));
  assert.deepEqual(ch, { ICCID: sim(1), IMSI: imsi(1), profileType: 'physical', batch: 'B-2026-05', warehouse: 'Utrecht', keysHeld: true, codesHeld: true });
  for (const secret of [ki(1), 'ab'.repeat(16), '12345671']) assert.ok(!s.text.includes(secret), `a read shows ${secret}`);
  const list = await srv.request('GET', `${RES}?batch=B-2026-05`);
  assert.equal(list.headers['x-total-count'], '4');
  assert.ok(!list.text.includes(ki(2)));
  const e = await get(sim(4));
  assert.equal(Object.fromEntries(e.json.resourceCharacteristic.map((c) => [c.name, c.value])).profileType, 'esim');
});

test('a batch with bad rows imports nothing and reports each row with its line', async () => {
  const before = Number((await srv.request('GET', `${RES}?@type=SimCard`)).headers['x-total-count']);
  const bad = iccid('893144000000099999').slice(0, -1) + String((Number(iccid('893144000000099999').slice(-1)) + 1) % 10);
  const file = [
    HEADER,
    row(10),                                   // line 2: good
    row(10).replace(imsi(10), imsi(11)),       // line 3: ICCID again
    `${bad},${imsi(12)},${ki(12)},${'ab'.repeat(16)},1234,12345678,physical`, // line 4: check digit
    `"${sim(13)},${imsi(13)}`,                 // line 5: a quote never closed ... runs to the end
  ].join('\n') + '\n';
  const r = await csv(file);
  expectError(r, 422, 'UNPROCESSABLE', 'line', 'rows rejected');
  assert.match(r.json.message, /^3 of 2 rows rejected|rows rejected, nothing imported/);
  const rep = r.json.report;
  assert.equal(rep.imported, 0);
  assert.deepEqual(rep.rejects.map((x) => [x.line, x.field || null]), [[3, 'iccid'], [4, 'iccid'], [5, null]]);
  assert.match(rep.rejects[0].reason, new RegExp(`ICCID ${sim(10)} appears again \\(first on line 2\\)`));
  assert.match(rep.rejects[1].reason, /check digit/);
  assert.match(rep.rejects[2].reason, /line 5: .*quote/);
  assert.equal(Number((await srv.request('GET', `${RES}?@type=SimCard`)).headers['x-total-count']), before);
  assert.equal((await get(sim(10))).status, 404);

  // the same file with partial: the good row goes in, the rest is reported again
  const p = await csv(file, '?partial=true');
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.imported, 1);
  assert.equal(p.json.rejected, 3);
  assert.equal((await get(sim(10))).json.resourceStatus, 'available');

  // a row already in the inventory, a row of the wrong width, a bad IMSI, a bad Ki
  const again = [HEADER, row(10), `${sim(14)},${imsi(14)}`, row(15).replace(imsi(15), '2040'), row(16).replace(ki(16), 'xyz')].join('\r\n');
  const a = await csv(again);
  expectError(a, 422, 'UNPROCESSABLE', 'line', 'again');
  assert.deepEqual(a.json.report.rejects.map((x) => [x.line, x.field || null, x.reason]), [
    [2, 'iccid', `ICCID ${sim(10)} is already in the inventory (batch import-2026-05-04)`],
    [3, null, 'the row has 2 fields, the header 7'],
    [4, 'imsi', 'imsi must be 6 to 15 digits (MCC, MNC and MSIN)'],
    [5, 'ki', 'ki must be 32 hexadecimal digits'],
  ]);
});

test('the header of a batch file is checked first', async () => {
  let r = await csv(`iccid,ki,opc\n${sim(20)},${ki(1)},${ki(2)}\n`);
  expectError(r, 400, 'INVALID', 'line 1', 'no imsi');
  assert.equal(r.json.message, 'line 1: missing column imsi');
  r = await csv(`iccid,imsi,ki,opc,colour\n`);
  expectError(r, 400, 'INVALID', 'line 1', 'unknown column');
  assert.match(r.json.message, /unknown column "colour"/);
  r = await csv(`iccid,imsi,iccid\n`);
  expectError(r, 400, 'INVALID', 'line 1', 'twice');
  r = await csv(`iccid,imsi\n${sim(21)},${imsi(21)}\n`);
  expectError(r, 400, 'INVALID', 'line 1', 'keys required');
  assert.match(r.json.message, /missing column ki/);
  r = await csv('');
  expectError(r, 400, 'INVALID', 'line 1', 'empty');
  r = await srv.request('POST', IMPORT, { body: { iccid: sim(22) } });
  expectError(r, 415, 'UNSUPPORTED', 'Content-Type', 'json body');
  r = await csv(`${HEADER}\n${row(23)}\n`, '', agentKey);
  expectError(r, 403, 'FORBIDDEN', undefined, 'agents do not import');
  r = await csv(`${HEADER}\n${row(23)}\n`, '?dryRun=true');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dryRun, true);
  assert.equal((await get(sim(23))).status, 404, 'a dry run writes nothing');
});

test('PIN and PUK are shown once, to agents and admins, with a reason', async () => {
  const url = `/api/v1/inventory/sims/${sim(2)}/codes`;
  expectError(await srv.request('POST', url, { key: readKey, body: { reason: 'x' } }), 403, 'FORBIDDEN', undefined, 'readonly');
  expectError(await srv.request('POST', url, { key: agentKey, body: {} }), 400, 'INVALID', 'reason', 'no reason');
  const r = await srv.request('POST', url, { key: agentKey, body: { reason: 'customer typed the PIN wrong 3 times' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.pin1, '1234');
  assert.equal(r.json.puk1, '12345672');
  assert.equal(r.headers['cache-control'], 'no-store');
  const again = await srv.request('POST', url, { body: { reason: 'again' } });
  expectError(again, 409, 'CONFLICT', 'codes', 'second time');
  assert.match(again.json.message, /were shown at 2026-05-04T10:00:00.000Z to Alice Agent; they are shown once/);
  expectError(await srv.request('POST', `/api/v1/inventory/sims/${sim(4)}/codes`, { body: { reason: 'x' } }), 404, 'NOT_FOUND', 'codes', 'none held');
  const h = await srv.request('GET', `${RES}/${sim(2)}/history`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.map((e) => e.action), ['codesShown', 'imported']);
  assert.equal(h.json[0].reason, 'customer typed the PIN wrong 3 times');
  assert.equal(h.json[0].by.name, 'Alice Agent');
  assert.ok(!h.text.includes('12345672'));
});

test('number ranges: added in one go, overlaps and bad ranges refused', async () => {
  const r = await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '06 1234 0000', to: '+31612340999' } });
  const range = await created(r);
  assert.deepEqual({ from: range.from, to: range.to, prefix: range.prefix, size: range.size, category: range.category },
    { from: '+31612340000', to: '+31612340999', prefix: '31612340', size: 1000, category: 'standard' });
  const o = await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31612340900', to: '+31612341099' } });
  expectError(o, 409, 'CONFLICT', 'from', 'overlap');
  assert.equal(o.json.message, '100 numbers of +31612340900..+31612341099 are already in the pool (the first is +31612340900)');
  expectError(await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31612349999', to: '+31612340000' } }), 400, 'INVALID', undefined, 'reversed');
  expectError(await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31612300000', to: '+31612499999' } }), 400, 'INVALID', undefined, 'too large');
  expectError(await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31612350000' } }), 400, 'INVALID', 'to', 'no to');
  expectError(await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31612350000', to: '+31612350009', category: 'golden' } }), 400, 'INVALID', 'category', 'undefined category');
  expectError(await srv.request('POST', '/admin/v1/inventory/ranges', { key: agentKey, body: { from: '+31612350000', to: '+31612350009' } }), 403, 'FORBIDDEN', undefined, 'agent');
  const one = await get('31612340123');
  assert.equal(one.json.value, '+31612340123');
  assert.equal(one.json.resourceStatus, 'available');
});

test('a golden category carries a one-time catalog price', async () => {
  const rec = await created(await srv.request('POST', POP, { body: { name: 'Monthly', priceType: 'recurring', recurringChargePeriodType: 'month', price: { unit: 'EUR', value: 10 } } }));
  const gold = await created(await srv.request('POST', POP, { body: { name: 'Golden number', priceType: 'oneTime', price: { unit: 'EUR', value: 49.95 } } }));
  let r = await srv.request('PUT', '/admin/v1/inventory/categories/golden', { body: { priceId: rec.id } });
  expectError(r, 400, 'INVALID', 'priceId', 'recurring price');
  expectError(await srv.request('PUT', '/admin/v1/inventory/categories/golden', { body: { priceId: 'nope' } }), 400, 'INVALID', 'priceId', 'no price');
  expectError(await srv.request('PUT', '/admin/v1/inventory/categories/Gold!', { body: {} }), 400, 'INVALID', 'name', 'bad name');
  r = await srv.request('PUT', '/admin/v1/inventory/categories/golden', { body: { priceId: gold.id, description: 'easy to remember' } });
  assert.equal(r.status, 200, r.text);
  await created(await srv.request('POST', '/admin/v1/inventory/ranges', { body: { from: '+31655555550', to: '+31655555559', category: 'golden' } }));
  const cats = await srv.request('GET', '/admin/v1/inventory/categories', { key: agentKey });
  assert.deepEqual(cats.json, [{ name: 'golden', priceId: gold.id, description: 'easy to remember', numbers: 10 }]);
  const l = await srv.request('GET', `${RES}?category=golden&resourceStatus=available&limit=3`, { key: agentKey });
  assert.equal(l.status, 200, l.text);
  assert.equal(l.headers['x-total-count'], '10');
  assert.deepEqual(l.json.map((x) => x.value), ['+31655555550', '+31655555551', '+31655555552']);
});

test('a reservation holds a number and ends by itself', async () => {
  const r = await srv.request('POST', RESV, { key: agentKey, body: { resourceType: 'MSISDN', category: 'golden', minutes: 15 } });
  const resv = await created(r);
  assert.equal(resv.resource.value, '+31655555550');
  assert.equal(resv.resource.resourceStatus, 'reserved');
  assert.equal(resv.heldUntil, '2026-05-04T10:15:00.000Z');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', number: '+31655555550' } }), 409, 'CONFLICT', 'number', 'held');
  // the next golden pick skips it
  const next = await created(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', category: 'golden' } }));
  assert.equal(next.resource.value, '+31655555551');
  // 16 minutes later it is free again, everywhere
  await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-05-04T10:16:00Z' } });
  assert.equal((await get('31655555550')).json.resourceStatus, 'available');
  const again = await created(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', number: '+31 6 55555550' } }));
  assert.equal(again.resource.id, '31655555550');
  // an expired reservation holds nothing any more
  expectError(await srv.request('DELETE', `${RESV}/${resv.id}`, { key: agentKey }), 404, 'NOT_FOUND', 'id', 'expired');
  assert.equal((await srv.request('DELETE', `${RESV}/${again.id}`, { key: agentKey })).status, 204);
  assert.equal((await get('31655555550')).json.resourceStatus, 'available');
  expectError(await srv.request('DELETE', `${RESV}/${again.id}`), 404, 'NOT_FOUND', 'id', 'released twice');
  // bad input
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'Car' } }), 400, 'INVALID', 'resourceType', 'type');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', number: '+31612999999' } }), 404, 'NOT_FOUND', 'number', 'not in the pool');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', number: 'twelve' } }), 400, 'INVALID', 'number', 'not a number');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', minutes: 0 } }), 400, 'INVALID', 'minutes', 'minutes');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', iccid: sim(1) } }), 400, 'INVALID', 'iccid', 'iccid on a number');
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'MSISDN', prefix: '31%' } }), 400, 'INVALID', 'prefix', 'prefix');
  expectError(await srv.request('POST', RESV, { key: readKey, body: { resourceType: 'MSISDN' } }), 403, 'FORBIDDEN', undefined, 'readonly');
  const bad = sim(1).slice(0, -1) + String((Number(sim(1).slice(-1)) + 1) % 10);
  expectError(await srv.request('POST', RESV, { body: { resourceType: 'SimCard', iccid: bad } }), 400, 'INVALID', 'iccid', 'check digit');
});

test('ten reservations racing for one number: exactly one gets it', async () => {
  const all = await Promise.all(Array.from({ length: 10 }, () =>
    srv.request('POST', RESV, { key: agentKey, body: { resourceType: 'MSISDN', number: '+31612340500' } })));
  const won = all.filter((r) => r.status === 201);
  assert.equal(won.length, 1, all.map((r) => r.status).join(','));
  for (const r of all.filter((x) => x.status !== 201)) expectError(r, 409, 'CONFLICT', 'number', 'lost the race');
  assert.equal((await get('31612340500')).json.heldBy, won[0].json.id);
  // and for "the next free SIM": each racer gets a different card
  const sims = await Promise.all(Array.from({ length: 3 }, () => srv.request('POST', RESV, { body: { resourceType: 'SimCard' } })));
  const got = sims.filter((r) => r.status === 201).map((r) => r.json.resource.id);
  assert.equal(new Set(got).size, got.length);
});

test('staff change a resource status with a reason; the rest is the orders\'', async () => {
  const url = `${RES}/${sim(10)}`;
  expectError(await srv.request('PATCH', url, { key: agentKey, body: { resourceStatus: 'lost' } }), 400, 'INVALID', 'statusReason', 'no reason');
  expectError(await srv.request('PATCH', url, { key: agentKey, body: { resourceStatus: 'lost', statusReason: 'x', name: 'y' } }), 400, 'INVALID', 'name', 'other member');
  expectError(await srv.request('PATCH', url, { key: agentKey, body: { resourceStatus: 'active', statusReason: 'x' } }), 409, 'STATE', 'resourceStatus', 'active by hand');
  expectError(await srv.request('PATCH', url, { key: readKey, body: { resourceStatus: 'lost', statusReason: 'x' } }), 403, 'FORBIDDEN', undefined, 'readonly');
  const r = await srv.request('PATCH', url, { key: agentKey, body: { resourceStatus: 'stolen', statusReason: 'courier robbed' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.resourceStatus, 'stolen');
  assert.equal(r.json.statusReason, 'courier robbed');
  const back = await srv.request('PATCH', url, { key: agentKey, body: { resourceStatus: 'available', statusReason: 'found' } });
  expectError(back, 409, 'STATE', 'resourceStatus', 'stolen is not found');
  assert.equal(back.json.message, 'a SIM cannot go from stolen to available by hand; from stolen it may become: retired');
  expectError(await srv.request('PATCH', `${RES}/31612340001`, { body: { resourceStatus: 'quarantined', statusReason: 'x' } }), 409, 'STATE', 'resourceStatus', 'number to quarantine by hand');
  expectError(await srv.request('PATCH', `${RES}/31612340001`, { body: { resourceStatus: 'gone', statusReason: 'x' } }), 400, 'INVALID', 'resourceStatus', 'unknown');
  expectError(await get('8931440000000999990'), 404, 'NOT_FOUND', 'id', 'unknown SIM');
  expectError(await get('hello'), 404, 'NOT_FOUND', 'id', 'not an id');
  const h = await srv.request('GET', `${url}/history`);
  assert.deepEqual(h.json.map((e) => [e.action, e.from || null, e.to]), [['status', 'available', 'stolen'], ['imported', null, 'available']]);
  expectError(await srv.request('GET', `${url}/history`, { key: agentKey }), 403, 'FORBIDDEN', undefined, 'history is admin');
});

test('lists filter by type, status, category, prefix; other filters are 400', async () => {
  let r = await srv.request('GET', `${RES}?@type=MSISDN&prefix=3161234&limit=2&offset=1&fields=value`, { key: readKey });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['x-total-count'], '1000');
  assert.deepEqual(r.json.map((x) => x.value), ['+31612340001', '+31612340002']);
  assert.deepEqual(Object.keys(r.json[0]).sort(), ['href', 'id', 'value']);
  r = await srv.request('GET', `${RES}?resourceStatus=stolen`);
  assert.deepEqual(r.json.map((x) => x.id), [sim(10)]);
  r = await srv.request('GET', `${RES}?limit=2&offset=4`);
  assert.equal(r.json[0]['@type'], 'SimCard'); // SIMs first, then numbers
  assert.equal(r.json[1]['@type'], 'MSISDN');
  expectError(await srv.request('GET', `${RES}?colour=red`), 400, 'INVALID', 'colour', 'unknown filter');
  expectError(await srv.request('GET', `${RES}?resourceStatus.gt=a`), 400, 'INVALID', 'resourceStatus.gt', 'operator');
  expectError(await srv.request('GET', `${RES}?sort=id`), 400, 'INVALID', 'sort', 'sort');
  expectError(await srv.request('GET', `${RES}?@type=Car`), 400, 'INVALID', '@type', 'type');
});

test('stats count by state and warn when a prefix runs low', async () => {
  const r = await srv.request('GET', '/admin/v1/inventory/stats', { key: readKey });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.sims.byState.stolen, 1);
  assert.ok(r.json.sims.byState.reserved >= 1);
  assert.equal(r.json.msisdns.total, 1010);
  assert.deepEqual(r.json.prefixes.map((p) => [p.prefix, p.total, p.warning]), [['31612340', 1000, false], ['3165555555', 10, true]]);
  assert.ok(r.json.warnings.some((w) => /prefix 3165555555 has \d+ numbers left \(warning below 100\)/.test(w)), r.text);
  expectError(await srv.request('GET', '/admin/v1/inventory/stats', { key: agentKey }), 403, 'FORBIDDEN', undefined, 'agent');
});

test('bss inventory: import-sims writes a reject file, add-range, category, stats', async () => {
  const dir = tempDir('bss-inv-cli-');
  const file = path.join(dir, 'batch.csv');
  fs.writeFileSync(file, [HEADER, row(40), row(41), row(40).replace(imsi(40), imsi(42))].join('\n') + '\n');
  const common = ['--url', srv.url, '--key', srv.key];
  let r = await bss(['inventory', 'import-sims', file, ...common]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /3 rows read, 0 imported into batch import-2026-05-04, 1 rejected/);
  assert.match(r.stderr, /1 of 3 rows rejected, nothing imported \(line 4: ICCID/);
  const rej = fs.readFileSync(`${file}.rejects.csv`, 'utf8');
  assert.equal(rej, `line,iccid,field,reason\n4,${sim(40)},iccid,ICCID ${sim(40)} appears again (first on line 2)\n`);
  r = await bss(['inventory', 'import-sims', file, '--partial', '--batch', 'CLI-1', ...common]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 rows read, 2 imported into batch CLI-1, 1 rejected/);
  r = await bss(['inventory', 'add-range', '+31612360000', '+31612360099', ...common]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /added 100 standard numbers \+31612360000\.\.\+31612360099 \(prefix 316123600/);
  r = await bss(['inventory', 'add-range', '+31612360000', '+31612360099', ...common]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already in the pool/);
  r = await bss(['inventory', 'category', 'silver', '--description', 'nice numbers', ...common]);
  assert.equal(r.code, 0, r.stderr);
  r = await bss(['inventory', 'add-range', '+31612370000', '+31612370009', '--category', 'silver', ...common]);
  assert.equal(r.code, 0, r.stderr);
  r = await bss(['inventory', 'stats', ...common]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /SIMs: \d+/);
  assert.match(r.stdout, /3161237000 +10 +10  LOW/);
  assert.match(r.stdout, /warning: prefix 3165555555/);
  r = await bss(['inventory', 'frobnicate', ...common]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: bss inventory import-sims/);
});

test('with --sim-keys hss, Ki and OPc are not stored', async () => {
  const s2 = await startServer({ args: ['--sim-keys', 'hss'] });
  try {
    const r = await s2.request('POST', IMPORT, { body: `iccid,imsi,ki,opc\n${sim(50)},${imsi(50)},${ki(50)},${ki(51)}\n${sim(51)},${imsi(51)},,\n`, headers: { 'content-type': 'text/csv' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.keysDropped, 1);
    const s = await s2.request('GET', `${RES}/${sim(50)}`);
    assert.equal(s.json.resourceCharacteristic.find((c) => c.name === 'keysHeld').value, false);
  } finally {
    await stopServer(s2);
  }
});
