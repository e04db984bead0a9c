// usage.test.mjs: usage in through TMF635 and CDR files (`bss usage
// import`), against a real `bss serve --demo` on a test clock (Wednesday
// 2026-06-03 10:00 UTC, 12:00 in Amsterdam: peak). Every value is worked out
// by hand from data/demo/catalog.json (see price_enquiry.test.mjs for the
// rates): a usage is rated once, whatever door it comes by and however
// often it is sent; a rejected one is stored with its reason and recycled
// once its line is live; every bad input named in issue 11 answers its
// exact error; every bucket still equals the sum of its ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, expectError, created, runSql, bss, tempDir } from './lib/server.mjs';
import { PO, settle } from './lib/orders.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const U = '/tmf-api/usageManagement/v4/usage';
const T0 = '2026-06-03T10:00:00Z';
let srv, dir;
const lines = {};
const owner = {};

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', T0, '--provision-latency', '1500'], testClock: true });
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  for (const o of ['po-prepaid-bundle-10', 'po-prepaid-payg', 'po-postpaid-s']) {
    const p = all.find((x) => x.productOffering.id === o && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
    lines[o] = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
    owner[o] = { customer: p.relatedParty.find((r) => r.role === 'customer').id, account: p.billingAccount.id, product: p.id };
  }
  dir = tempDir('bss-usage-');
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const usage = (id, msisdn, type, quantity, more = {}) => ({
  usageType: type, usageDate: more.date || T0,
  usageCharacteristic: [
    ...(id ? [{ name: 'recordId', value: id }] : []),
    { name: 'msisdn', value: msisdn }, { name: 'quantity', value: quantity },
    ...(more.destination ? [{ name: 'destination', value: more.destination }] : []),
    ...(more.chars || []),
  ],
  ...(more.body || {}),
});
// RFC 4180 rows of a reject file
const parseCsv = (text) => {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; } else f += c;
  }
  if (f || row.length) { row.push(f); rows.push(row); }
  return rows;
};
const post = (body, headers) => srv.request('POST', U, { body, headers });
const wallet = async (msisdn) => (await srv.request('GET', `${B}?logicalResource.id=${msisdn}&usageType=monetary`)).json[0]
  || (await srv.request('GET', `${B}?partyAccount.id=${owner['po-prepaid-payg'].account}&usageType=monetary`)).json[0];
const explain = async (id) => (await srv.request('GET', `/api/v1/usage/${id}/explain`)).json;

test('a REST usage is rated at once; sent again it answers the first result and charges nothing', async () => {
  const m = lines['po-prepaid-payg'];
  const before = (await wallet(m)).remainedAmount.amount;
  const r = await post(usage('rest-1', m, 'voice', 61, { destination: '31687654321', chars: [{ name: 'cellId', value: 'AMS-12' }] }));
  const u = await created(r);
  assert.equal(u.id, 'rest-1');
  assert.equal(u.status, 'rated');
  assert.match(r.headers.location, /\/usage\/rest-1$/);
  // national mobile at peak 0.25/min: 61 s = 0.2541666.. -> 0.254167, from the wallet
  const rpu = u.ratedProductUsage[0];
  assert.deepEqual(rpu.taxExcludedRatingAmount, { unit: 'EUR', value: 0.254167 });
  assert.deepEqual(rpu.bucketValueConvertedInAmount, { unit: 'EUR', value: 0.254167 });
  assert.equal(rpu.productRef.id, owner['po-prepaid-payg'].product);
  assert.ok(u.usageCharacteristic.some((c) => c.name === 'cellId' && c.value === 'AMS-12'), 'extra characteristics are kept');
  assert.equal((await wallet(m)).remainedAmount.amount, +(before - 0.254167).toFixed(6));
  const again = await post(usage('rest-1', m, 'voice', 61, { destination: '31687654321' }));
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.equal(again.json.ratedProductUsage[0].taxExcludedRatingAmount.value, 0.254167);
  assert.equal((await wallet(m)).remainedAmount.amount, +(before - 0.254167).toFixed(6), 'charged once');
  // the explanation: price, zone, band, increments, the wallet before and after
  const x = await explain('rest-1');
  assert.equal(x.status, 'rated');
  assert.deepEqual(x.productOffering, { id: 'po-prepaid-payg', version: '1' });
  assert.equal(x.rating.price, 'pop-voice-payg');
  assert.equal(x.rating.zone, 'national-mobile');
  assert.equal(x.rating.timeBand, 'peak');
  assert.equal(x.rating.ratedUnits, 61);
  assert.equal(x.rating.charge, 0.254167);
  assert.match(x.rating.trace, /units=61 price=0\.25\/60/);
  assert.deepEqual(x.buckets.map((b) => [b.bucketSource, b.amount, b.before, b.after]), [['wallet', 0.254167, before, +(before - 0.254167).toFixed(6)]]);
});

test('an Idempotency-Key is the id of a usage without a recordId; without either it is refused', async () => {
  const m = lines['po-postpaid-s'];
  const u = await created(await post(usage(null, m, 'sms', 1, { destination: '31612345678' }), { 'Idempotency-Key': 'idem-sms-1' }));
  assert.equal(u.id, 'idem-sms-1');
  expectError(await post(usage(null, m, 'sms', 1, { destination: '31612345678' })), 400, 'INVALID', 'recordId', 'no key');
});

test('an allowance covers a usage: nothing charged, the bucket shown before and after', async () => {
  const m = lines['po-prepaid-bundle-10'];
  const u = await created(await post(usage('rest-bundle-1', m, 'voice', 61, { destination: '31612345678' })));
  assert.equal(u.ratedProductUsage[0].taxExcludedRatingAmount.value, 0);
  assert.equal(u.ratedProductUsage[0].usageRatingTag, 'included');
  const x = await explain('rest-bundle-1');
  assert.equal(x.rating.coveredUnits, 61);
  assert.deepEqual(x.buckets.map((b) => [b.bucketSource, b.units, b.amount, b.before, b.after]), [['plan', 's', 61, 6000, 5939]]);
});

test('the same usage costs the same by REST and as a CDR', async () => {
  const m = lines['po-postpaid-s'];
  const rest = await created(await post(usage('same-rest', m, 'voice', 125, { destination: '33612345678' })));
  const file = path.join(dir, 'same.csv');
  fs.writeFileSync(file, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `same-cdr,2026-06-03T10:00:00Z,${m},voice,33612345678,125,s\n`);
  const r = await bss(['usage', 'import', file, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const cdr = (await srv.request('GET', `${U}/same-cdr`)).json;
  assert.deepEqual(cdr.ratedProductUsage[0].taxExcludedRatingAmount, rest.ratedProductUsage[0].taxExcludedRatingAmount);
  assert.equal((await explain('same-cdr')).rating.trace, (await explain('same-rest')).rating.trace);
});

test('bad REST usage: each refused with the member at fault, nothing stored', async () => {
  const m = lines['po-postpaid-s'];
  const d = { destination: '31612345678' };
  expectError(await post(usage('bad-1', m, 'fax', 1, d)), 400, 'INVALID', 'usageType', 'unknown service');
  expectError(await post(usage('bad-2', m, 'voice', 1, { ...d, chars: [{ name: 'unit', value: 'byte' }] })), 400, 'INVALID', 'unit', 'unit');
  let r = await post(usage('bad-3', m, 'voice', -1, d));
  expectError(r, 400, 'INVALID', 'quantity', 'negative');
  r = await post(usage('bad-4', m, 'voice', 86401, d));
  expectError(r, 400, 'INVALID', 'quantity', 'absurd');
  assert.equal(r.json.message, 'quantity 86401 is more than the most a usage may hold (86400 s)');
  r = await post(usage('bad-5', m, 'voice', 1, { ...d, date: '2026-06-03T11:00:00Z' }));
  expectError(r, 400, 'INVALID', 'usageDate', 'future');
  assert.equal(r.json.message, 'usageDate is in the future (more than 300 s ahead)');
  expectError(await post(usage('bad-6', m, 'voice', 1, { destination: '31-6123' })), 400, 'INVALID', 'destination', 'not digits');
  expectError(await post(usage('bad/7', m, 'voice', 1, d)), 400, 'INVALID', 'recordId', 'id');
  expectError(await post(usage('bad-8', m, 'voice', 1, { ...d, chars: [{ name: 'note', value: 'card 4111 1111 1111 1111' }] })), 400, 'INVALID', undefined, 'card number');
  expectError(await post(usage('bad-9', m, 'voice', 1, { ...d, body: { ratedProductUsage: [] } })), 400, 'INVALID', 'ratedProductUsage', 'rater');
  expectError(await post(usage('bad-10', m, 'voice', 1, { ...d, body: { usageSpecification: { id: 'nope' } } })), 422, 'UNPROCESSABLE', 'usageSpecification.id', 'spec');
  r = await post([usage('bad-11', m, 'voice', 1, d), usage('bad-12', m, 'voice', -5, d)]);
  expectError(r, 400, 'INVALID', '[1].quantity', 'batch');
  for (const id of ['bad-1', 'bad-3', 'bad-10', 'bad-11']) {
    expectError(await srv.request('GET', `${U}/${id}`), 404, 'NOT_FOUND', 'id', id);
  }
});

test('a batch is rated together: 201 with each usage', async () => {
  const m = lines['po-postpaid-s'];
  const r = await post([usage('batch-1', m, 'sms', 1, { destination: '31612345678' }), usage('batch-2', m, 'data', 1048576)]);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.map((u) => [u.id, u.status]), [['batch-1', 'rated'], ['batch-2', 'rated']]);
});

test('unknown subscriber and usage before activation: stored rejected with the reason', async () => {
  let u = await created(await post(usage('rej-1', '31699999999', 'voice', 30, { destination: '31612345678' })));
  assert.equal(u.status, 'rejected');
  assert.deepEqual(u.statusReason, { code: 'unknownSubscriber', reason: 'no live line has the number 31699999999' });
  assert.equal(u.ratedProductUsage, undefined);
  u = await created(await post(usage('rej-2', lines['po-postpaid-s'], 'voice', 30, { destination: '31612345678', date: '2001-01-01T00:00:00Z' })));
  assert.equal(u.status, 'rejected');
  assert.equal(u.statusReason.code, 'beforeActivation');
  const list = (await srv.request('GET', `${U}?status=rejected&statusReason.code=unknownSubscriber`)).json;
  assert.ok(list.some((x) => x.id === 'rej-1'));
  assert.ok(!list.some((x) => x.id === 'rej-2'));
});

test('a usage of a line still being provisioned is rejected, then recycled once it is active', async () => {
  const o = await created(await srv.request('POST', PO, { body: {
    relatedParty: [{ id: owner['po-postpaid-s'].customer, role: 'customer', '@referredType': 'Customer' }],
    billingAccount: { id: owner['po-postpaid-s'].account },
    productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-postpaid-s' },
      product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }] } }));
  const pid = o.productOrderItem[0].product.id;
  const p = (await srv.request('GET', `${PROD}/${pid}`)).json;
  const m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const u = await created(await post(usage('early-1', m, 'sms', 1, { destination: '31612345678', date: '2026-06-03T10:01:00Z' })));
  assert.equal(u.status, 'rejected');
  assert.equal(u.statusReason.code, 'lineNotActive');
  assert.equal((await settle(srv, o.id)).state, 'completed');
  const r = await srv.request('POST', '/api/v1/usage/recycle', { body: { msisdn: m } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.considered, 1);
  assert.equal(r.json.recycled, 1);
  assert.equal(r.json.stillRejected, 0);
  const after = (await srv.request('GET', `${U}/early-1`)).json;
  assert.equal(after.status, 'recycled');
  assert.equal(after.statusReason, undefined);
  assert.ok(after.ratedProductUsage[0].productRef.id === pid);
  assert.equal((await explain('early-1')).attempts, 2);
  // nothing left to recycle for the line; bad recycle requests are refused
  assert.equal((await srv.request('POST', '/api/v1/usage/recycle', { body: { msisdn: m } })).json.considered, 0);
  expectError(await srv.request('POST', '/api/v1/usage/recycle', { body: { reasonCode: 'whatever' } }), 400, 'INVALID', 'reasonCode', 'code');
  expectError(await srv.request('POST', '/api/v1/usage/recycle', { body: { limit: 0 } }), 400, 'INVALID', 'limit', 'limit');
});

test('a CDR file: rated rows, duplicates, every malformed row in the reject file with its line and reason', async () => {
  const m = lines['po-prepaid-bundle-10'];
  const file = path.join(dir, 'cdr-1.csv');
  const rows = [
    'record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn,cell_id',
    `f-1,2026-06-03T10:00:00Z,${m},voice,31612345678,120,s,,,A1`,
    `f-1,2026-06-03T10:00:00Z,${m},voice,31612345678,120,s,,,A1`,
    `f-3,2026-06-03T10:00:01Z,${m},fax,31612345678,1,msg,,,A1`,
    `f-4,2026-06-03T10:00:02Z,${m},voice,31612345678,1,min,,,A1`,
    `f-5,2026-06-03T10:00:03Z,${m},voice,31612345678,-3,s,,,A1`,
    `f-6,2026-06-03T10:00:04Z,${m},voice,31612345678,90000,s,,,A1`,
    `f-7,2026-06-03T11:00:00Z,${m},voice,31612345678,10,s,,,A1`,
    `f-8,2026-06-03T10:00:05Z,${m},voice,+3161234,10,s,,,A1`,
    `f-9,2026-06-03T10:00:06Z,${m},sms,31612345678,1,msg,,,A\xff1`,
    `f-10,2026-06-03T10:00:07Z,${m},voice`,
    'f-11,2026-06-03T10:00:08Z,31699999998,voice,31612345678,10,s,,,A1',
    `f/12,2026-06-03T10:00:09Z,${m},voice,31612345678,10,s,,,A1`,
    `f-13,2026-06-03T10:00:10Z,${m},sms,31612345678,1,msg,,,A1`,
  ];
  fs.writeFileSync(file, Buffer.from(rows.join('\n') + '\n', 'latin1'));
  const r = await bss(['usage', 'import', file, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 3, `rows were rejected: ${r.stderr}${r.stdout}`);
  assert.match(r.stdout, /cdr-1\.csv: 13 read, 2 rated, 10 rejected, 1 duplicates, charged 0 EUR/);
  const rej = parseCsv(fs.readFileSync(`${file}.rejects.csv`, 'utf8'));
  assert.deepEqual(rej[0], ['line', 'field', 'code', 'reason', 'record']);
  assert.deepEqual(rej.slice(1).map((r) => r.slice(0, 4)), [
    ['4', 'service', 'malformed', 'line 4: unknown service fax (voice, sms, mms, data, content)'],
    ['5', 'unit', 'malformed', 'line 5: unknown unit min (s, msg, byte, event)'],
    ['6', 'quantity', 'malformed', 'line 6: quantity -3 is not a whole number >= 0'],
    ['7', 'quantity', 'malformed', 'line 7: quantity 90000 is more than the most a record may hold (86400)'],
    ['8', 'start_time', 'malformed', 'line 8: start_time 2026-06-03T11:00:00Z is in the future'],
    ['9', 'destination', 'malformed', 'line 9: destination +3161234 is not 1 to 20 digits'],
    ['10', 'cell_id', 'malformed', 'line 10: cell_id is not UTF-8 text'],
    ['11', 'line', 'malformed', 'line 11: the row has 4 fields, the header 10 (a truncated file?)'],
    ['12', 'msisdn', 'unknownSubscriber', 'line 12: no live line has the number 31699999998'],
    ['13', 'record_id', 'malformed', 'line 13: record_id holds a character other than A-Z a-z 0-9 . _ : ~ -'],
  ]);
  assert.equal(rej[1][4], `f-3,2026-06-03T10:00:01Z,${m},fax,31612345678,1,msg,,,A1`, 'the original row is kept');
  assert.equal(rej[7][4], `f-9,2026-06-03T10:00:06Z,${m},sms,31612345678,1,msg,,,A\ufffd1`, 'a byte that is not UTF-8 shown as U+FFFD');
  // the call came off the plan's minutes (6000 - 61 earlier - 120), the SMS off its SMS bundle
  const x = await explain('f-1');
  assert.equal(x.rating.charge, 0);
  assert.deepEqual(x.buckets.map((b) => [b.bucketSource, b.amount, b.before, b.after]), [['plan', 120, 5939, 5819]]);
  assert.equal((await srv.request('GET', `${U}/f-1`)).json.usageCharacteristic.find((c) => c.name === 'cell_id').value, 'A1');
  // sent again: nothing rated, nothing charged twice
  const again = await bss(['usage', 'import', file, '--url', srv.url, '--key', srv.key]);
  assert.match(again.stdout, /13 read, 0 rated, 9 rejected, 4 duplicates, charged 0\n/);
  const b = (await srv.request('GET', `${B}/${x.buckets[0].bucket}`)).json;
  assert.deepEqual(b.remainedAmount, { amount: 5819, units: 'second' });
});

test('CDR files the import refuses whole: empty, no header, a header without a column', async () => {
  const empty = path.join(dir, 'empty.csv');
  fs.writeFileSync(empty, '');
  let r = await bss(['usage', 'import', empty, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 1: the file is empty; a header row is expected/);
  const nohdr = path.join(dir, 'nohdr.csv');
  fs.writeFileSync(nohdr, `x-1,2026-06-03T10:00:00Z,${lines['po-postpaid-s']},voice,31612345678,10,s\n`);
  r = await bss(['usage', 'import', nohdr, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 1: missing column record_id/);
  for (const bad of ['0', '5001', '12x']) {
    const c = await bss(['usage', 'import', nohdr, '--chunk', bad, '--url', srv.url, '--key', srv.key]);
    assert.equal(c.code, 2, bad);
    assert.match(c.stderr, /--chunk is 1\.\.5000 rows/);
  }
  // the API directly: the header is checked before anything is read
  const res = await srv.request('POST', '/api/v1/usage/import', { body: 'record_id,start_time\n', headers: { 'content-type': 'text/csv' } });
  expectError(res, 400, 'INVALID', 'line 1', 'header');
  expectError(await srv.request('POST', '/api/v1/usage/import', { body: { a: 1 } }), 415, 'UNSUPPORTED', 'Content-Type', 'json');
  // a chunk's place in its import (what orders two in flight): checked before anything is read
  const csv = { body: 'record_id,start_time,msisdn,service,destination,quantity,unit\n', headers: { 'content-type': 'text/csv' } };
  for (const [q, field, message] of [
    ['import=not%20an%20id&seq=0', 'import', 'import is an id of 1 to 36 hex digits and dashes (a UUID)'],
    [`import=${'a'.repeat(37)}&seq=0`, 'import', 'import is an id of 1 to 36 hex digits and dashes (a UUID)'],
    ['import=0190a000-0000-7000-8000-000000000001', 'seq', 'import and seq come together'],
    ['seq=1', 'import', 'import and seq come together'],
    ['import=0190a000-0000-7000-8000-000000000001&seq=-1', 'seq', "seq is the chunk's place in its import: 0 to 1000000000"],
    ['import=0190a000-0000-7000-8000-000000000001&seq=1000000001', 'seq', "seq is the chunk's place in its import: 0 to 1000000000"],
  ]) {
    const e = await srv.request('POST', `/api/v1/usage/import?${q}`, csv);
    expectError(e, 400, 'INVALID', field, q);
    assert.equal(e.json.message, message, q);
  }
  // a chunk whose predecessor never comes waits a moment, no longer
  const t0 = Date.now();
  const lone = await srv.request('POST', '/api/v1/usage/import?file=lone.csv&import=0190a000-0000-7000-8000-0000000000aa&seq=5',
    { ...csv, body: `${csv.body}lone-1,2026-06-03T09:00:00Z,31699999997,sms,31612345678,1,msg\n` });
  assert.equal(lone.status, 200, lone.text);
  assert.ok(Date.now() - t0 < 5000, 'not held for the predecessor that never came');
});

test('usage lists by line, newest first; filters checked', async () => {
  const m = lines['po-prepaid-bundle-10'];
  const r = await srv.request('GET', `${U}?msisdn=${m}&usageDate.gte=2026-06-03T10:00:00Z&limit=2`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['x-total-count'], '3');
  assert.deepEqual(r.json.map((u) => u.id), ['f-13', 'rest-bundle-1']); // ties in time: by id, descending
  expectError(await srv.request('GET', `${U}?cell=1`), 400, 'INVALID', 'cell', 'filter');
  expectError(await srv.request('GET', `${U}?usageDate=2026`), 400, 'INVALID', 'usageDate', 'date eq');
  expectError(await srv.request('GET', `${U}/no-such`), 404, 'NOT_FOUND', 'id', 'get');
  expectError(await srv.request('GET', '/api/v1/usage/no-such/explain'), 404, 'NOT_FOUND', 'id', 'explain');
});

test('running totals per account, bill period and charge line; every bucket still equals its ledger', async () => {
  const acc = owner['po-prepaid-bundle-10'].account;
  const t = await runSql(srv, `SELECT SUM(events), SUM(rated_units) FROM usage_total WHERE account_id = '${acc}' AND service = 'voice'`);
  assert.equal(t.replace(/\s*\|\s*/g, ' '), '2 181', 'two calls of 61 and 120 s');
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0');
});

test('the customer view shows the line\'s usage this period and its last usage', async () => {
  const v = (await srv.request('GET', `/api/v1/customers/${owner['po-prepaid-bundle-10'].customer}/view`)).json;
  const voice = v.usage.find((u) => u.productId === owner['po-prepaid-bundle-10'].product && u.service === 'voice');
  assert.ok(voice, JSON.stringify(v.usage));
  assert.equal(voice.events, 2);
  assert.equal(voice.ratedUnits, 181);
  assert.equal(voice.charge, 0);
  assert.equal(voice.lastUsageAt, '2026-06-03T10:00:00.000Z');
  assert.ok(['f-1', 'rest-bundle-1'].includes(voice.lastUsageId));
});

test('a file cut into many chunks: the same summary, its rejects in line order', async () => {
  const m = lines['po-prepaid-bundle-10'];
  const file = path.join(dir, 'cdr-chunks.csv');
  const rows = ['record_id,start_time,msisdn,service,destination,quantity,unit'];
  const bad = new Set([3, 6, 7, 10, 14, 15, 19]); // file lines 4, 7, ... carry an unknown unit
  for (let i = 0; i < 20; i++)
    rows.push(`k-${i},2026-06-03T09:${String(i).padStart(2, '0')}:00Z,${m},sms,31612345678,1,${bad.has(i) ? 'min' : 'msg'}`);
  rows.push('k-0,2026-06-03T09:00:00Z,' + m + ',sms,31612345678,1,msg'); // a duplicate in a later chunk
  fs.writeFileSync(file, rows.join('\n') + '\n');
  const r = await bss(['usage', 'import', file, '--chunk', '2', '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 3, r.stderr + r.stdout);
  assert.match(r.stdout, /cdr-chunks\.csv: 21 read, 13 rated, 7 rejected, 1 duplicates, charged 0 EUR/);
  const rej = parseCsv(fs.readFileSync(`${file}.rejects.csv`, 'utf8')).slice(1);
  assert.deepEqual(rej.map((x) => x[0]), [...bad].map((i) => String(i + 2)));
  assert.deepEqual(rej.map((x) => x[3]), [...bad].map((i) => `line ${i + 2}: unknown unit min (s, msg, byte, event)`));
  const again = await bss(['usage', 'import', file, '--chunk', '1', '--url', srv.url, '--key', srv.key]);
  assert.match(again.stdout, /21 read, 0 rated, 7 rejected, 14 duplicates, charged 0\n/);
  const n = await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE id LIKE 'k-%'");
  assert.equal(n, '13');
});
