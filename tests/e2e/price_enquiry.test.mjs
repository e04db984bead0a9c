// price_enquiry.test.mjs: POST /api/v1/charging/price-enquiry against a real
// `bss serve --demo` on a test clock (Wednesday 2026-06-03 10:00 UTC, 12:00
// in Amsterdam: peak): the rating core against the demo lines' real
// buckets, each answer worked out by hand from data/demo/catalog.json, and
// nothing changed by asking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, expectError, newApiKey } from './lib/server.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const Q = '/api/v1/charging/price-enquiry';
let srv;
const lines = {};

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', '2026-06-03T10:00:00Z'], testClock: true });
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  for (const o of ['po-prepaid-bundle-10', 'po-prepaid-payg', 'po-postpaid-s', 'po-postpaid-m']) {
    const p = all.find((x) => x.productOffering.id === o && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
    lines[o] = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  }
});
after(async () => { await stopServer(srv); });

const ask = (body) => srv.request('POST', Q, { body });

test('a call inside the bundle\'s minutes: covered, nothing charged, the bucket shown before and after', async () => {
  const r = await ask({ msisdn: lines['po-prepaid-bundle-10'], service: 'voice', quantity: 61, destination: '31612345678' });
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.equal(a.zone, 'national-mobile');
  assert.equal(a.timeBand, 'peak');
  assert.equal(a.paymentMode, 'prepaid');
  assert.equal(a.ratedUnits, 61); // 60 s first, then per second
  assert.equal(a.coveredUnits, 61);
  assert.equal(a.charge, 0);
  assert.deepEqual(a.buckets.map((b) => [b.bucketSource, b.units, b.amount, b.before, b.after]), [['plan', 's', 61, 6000, 5939]]);
  assert.equal(a.price.id, 'pop-voice-payg');
  // asking changed nothing
  const b = (await srv.request('GET', `${B}/${a.buckets[0].bucket}`)).json;
  assert.deepEqual(b.remainedAmount, { amount: 6000, units: 'second' });
});

test('pay as you go: the wallet pays, at the zone\'s rate', async () => {
  const m = lines['po-prepaid-payg'];
  // national mobile at peak 0.25/min: 61 s = 0.25 * 61 / 60 = 0.2541666.. -> 0.254167
  let a = (await ask({ msisdn: m, service: 'voice', quantity: 61, destination: '31687654321' })).json;
  assert.equal(a.charge, 0.254167);
  assert.equal(a.fromWallet, 0.254167);
  assert.deepEqual(a.buckets.map((b) => [b.bucketSource, b.before, b.after]), [['wallet', 10, 9.745833]]);
  // international EU 0.23/min, any band: 120 s = 0.46
  a = (await ask({ msisdn: m, service: 'voice', quantity: 120, destination: '33612345678' })).json;
  assert.equal(a.zone, 'international-eu');
  assert.equal(a.charge, 0.46);
  // data roaming in world-1 (310-260): 1.99 per MB, 1 MB
  a = (await ask({ msisdn: m, service: 'data', quantity: 1048576, visitedPlmn: '310-260' })).json;
  assert.equal(a.roamingZone, 'world-1');
  assert.equal(a.charge, 1.99);
  // data at home 0.05/MB rounded up to KB: 1500 bytes = 2 KB = 0.05 * 2048 / 1048576 = 0.0000976.. -> 0.000098
  a = (await ask({ msisdn: m, service: 'data', quantity: 1500 })).json;
  assert.equal(a.ratedUnits, 2048);
  assert.equal(a.charge, 0.000098);
  // SMS in France: roam like at home, 0.10
  a = (await ask({ msisdn: m, service: 'sms', quantity: 1, destination: '31612345678', visitedPlmn: '208-01' })).json;
  assert.equal(a.roamingZone, 'eu');
  assert.equal(a.charge, 0.1);
  // more than the wallet holds: what is short is said
  a = (await ask({ msisdn: m, service: 'voice', quantity: 3600, destination: '12125550100' })).json;
  assert.equal(a.zone, 'international-world-1');
  assert.equal(a.charge, 30); // 0.50/min * 60
  assert.equal(a.fromWallet, 10);
  assert.equal(a.notCovered, 20);
});

test('postpaid: outside the allowance\'s zones, billed', async () => {
  const m = lines['po-postpaid-s'];
  // the 200 national minutes do not cover the EU: postpaid international-eu 0.19/min, 90 s = 0.285, billed
  const a = (await ask({ msisdn: m, service: 'voice', quantity: 90, destination: '33612345678' })).json;
  assert.equal(a.paymentMode, 'postpaid');
  assert.equal(a.coveredUnits, 0);
  assert.equal(a.charge, 0.285);
  assert.equal(a.billed, 0.285);
  assert.deepEqual(a.buckets, []);
  const n = (await ask({ msisdn: m, service: 'voice', quantity: 60, destination: '31687654321' })).json;
  assert.equal(n.coveredUnits, 60);
  assert.equal(n.charge, 0);
  const u = (await ask({ msisdn: lines['po-postpaid-m'], service: 'sms', quantity: 3, destination: '31612345678' })).json;
  assert.deepEqual(u.buckets.map((b) => [b.bucketSource, b.amount]), [['plan', 3]], 'unlimited SMS');
});

test('bad enquiries', async () => {
  const m = lines['po-prepaid-payg'];
  expectError(await ask({ service: 'voice', quantity: 1 }), 400, 'INVALID', 'msisdn', 'no msisdn');
  expectError(await ask({ msisdn: '31abc', service: 'voice', quantity: 1 }), 400, 'INVALID', 'msisdn', 'not digits');
  expectError(await ask({ msisdn: '31699999999', service: 'voice', quantity: 1 }), 404, 'NOT_FOUND', 'msisdn', 'no such line');
  expectError(await ask({ msisdn: m, service: 'fax', quantity: 1 }), 400, 'INVALID', 'service', 'unknown service');
  expectError(await ask({ msisdn: m, service: 'voice', quantity: -1 }), 400, 'INVALID', 'quantity', 'negative');
  expectError(await ask({ msisdn: m, service: 'voice', quantity: 1.5 }), 400, 'INVALID', 'quantity', 'fractional');
  expectError(await ask({ msisdn: m, service: 'voice', quantity: 1e13 }), 400, 'INVALID', 'quantity', 'absurd');
  expectError(await ask({ msisdn: m, service: 'voice', quantity: 60, destination: '+3161234' }), 400, 'INVALID', 'destination', 'not digits');
  expectError(await ask({ msisdn: m, service: 'data', quantity: 60, visitedPlmn: 'FR' }), 400, 'INVALID', 'visitedPlmn', 'not MCC-MNC');
  // a network in no listed zone: the demo roaming table's default zone, rest of world at 2.99/MB (60 B -> 1 KB = 0.00292)
  const rw = (await ask({ msisdn: m, service: 'data', quantity: 60, visitedPlmn: '999-99' })).json;
  assert.deepEqual([rw.roamingZone, rw.charge], ['rest-of-world', 0.00292]);
  expectError(await ask({ msisdn: m, service: 'content', quantity: 1 }), 422, 'UNPROCESSABLE', 'service', 'no price for the service');
  expectError(await ask({ msisdn: m, service: 'voice', quantity: 60, startTime: 'yesterday' }), 400, 'INVALID', 'startTime', 'a bad time');
  const net = await newApiKey(srv, 'network', 'PGW');
  const r = await srv.request('POST', Q, { key: net, body: { msisdn: m, service: 'sms', quantity: 1, destination: '31612345678' } });
  assert.equal(r.status, 200, r.text);
});
