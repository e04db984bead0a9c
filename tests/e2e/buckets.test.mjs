// buckets.test.mjs: the buckets an order's provisioning makes (the
// charging.createBuckets step, src/charging/provision.c) against a real
// `bss serve --demo` with the provisioning simulator: a new prepaid
// bundle line gets its plan allowances, an add-on its own on the same
// line, a plan change closes the old plan's buckets (what was left
// expires, in the ledger) and opens the new plan's, and ending the
// add-on closes its buckets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, created, runSql } from './lib/server.mjs';
import { PO, settle } from './lib/orders.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
let srv, who, post;
const ordered = new Set(); // lines the tests ordered (the demo's own lines are seeded with their wallets)

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5'] });
  const lines = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const l = lines.find((p) => p.productOffering.id.startsWith('po-prepaid') && p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  who = { customer: l.relatedParty.find((r) => r.role === 'customer').id, account: l.billingAccount.id };
  const q = lines.find((p) => p.productOffering.id === 'po-postpaid-s' && p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  post = { customer: q.relatedParty.find((r) => r.role === 'customer').id, account: q.billingAccount.id };
});
after(async () => { await stopServer(srv); });

const order = async (items, by = who) => {
  const o = await created(await srv.request('POST', PO, { body: {
    relatedParty: [{ id: by.customer, role: 'customer', '@referredType': 'Customer' }],
    billingAccount: { id: by.account }, productOrderItem: items } }));
  const done = await settle(srv, o.id);
  assert.equal(done.state, 'completed', JSON.stringify(done));
  return done;
};
const buckets = async (query) => (await srv.request('GET', `${B}?${query}`)).json;
const summary = (bs) => bs.map((b) => [b.usageType, b.bucketSource, b.unlimited ? 'unlimited' : b.remainedAmount.amount,
  b.productOfferingPrice.id]).sort((a, b) => a[3].localeCompare(b[3]));

test('an order\'s line gets its allowances; an add-on its own; a plan change swaps them', async () => {
  const o = await order([{ id: '1', action: 'add', productOffering: { id: 'po-prepaid-bundle-10' },
    product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }]);
  const pid = o.productOrderItem[0].product.id;
  ordered.add(pid);
  const line = (await srv.request('GET', `${PROD}/${pid}`)).json;
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const plan = await buckets(`product.id=${pid}&status=active`);
  assert.deepEqual(summary(plan), [
    ['data', 'plan', 2147483648, 'pop-prepaid-10-data'],     // 2 GB in bytes
    ['voice', 'plan', 6000, 'pop-prepaid-10-minutes'],       // 100 minutes in seconds
    ['sms', 'plan', 100, 'pop-prepaid-10-sms'],
  ].sort((a, b) => a[3].localeCompare(b[3])));
  for (const b of plan) {
    assert.equal(b.logicalResource[0].id, msisdn);
    assert.equal(b.partyAccount.id, who.account);
    assert.ok(b.validFor.startDateTime && b.validFor.endDateTime, 'valid to the end of the bill period');
    assert.deepEqual(b.initialAmount, b.remainedAmount);
  }
  // an add-on on that line: its bucket is the line's, source addon, for its 30 days
  const a = await order([{ id: '1', action: 'add', productOffering: { id: 'po-addon-data-1gb' },
    product: { productRelationship: [{ relationshipType: 'addOnTo', product: { id: pid } }] } }]);
  const aid = a.productOrderItem[0].product.id;
  const extra = await buckets(`product.id=${aid}`);
  assert.deepEqual(summary(extra), [['data', 'addon', 1073741824, 'pop-addon-1gb-data']]);
  assert.equal(extra[0].logicalResource[0].id, msisdn);
  const days = (Date.parse(extra[0].validFor.endDateTime) - Date.parse(extra[0].validFor.startDateTime)) / 86400000;
  assert.equal(days, 30);
  // the add-on ends: its bucket closes
  await order([{ id: '1', action: 'delete', product: { id: aid } }]);
  assert.deepEqual((await buckets(`product.id=${aid}`)).map((b) => b.status), ['closed']);
  // a postpaid S line moves up to M: the old plan's buckets close, the new plan's open
  const s = await order([{ id: '1', action: 'add', productOffering: { id: 'po-postpaid-s' },
    product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }], post);
  const sid = s.productOrderItem[0].product.id;
  assert.deepEqual(summary(await buckets(`product.id=${sid}&status=active`)).map((x) => x.slice(0, 3)),
    [['data', 'plan', 5368709120], ['voice', 'plan', 12000], ['sms', 'plan', 'unlimited']]);
  await order([{ id: '1', action: 'modify', productOffering: { id: 'po-postpaid-m' }, product: { id: sid } }], post);
  const now = await buckets(`product.id=${sid}&status=active`);
  assert.deepEqual(summary(now).map((x) => x[3]), ['pop-postpaid-m-data', 'pop-postpaid-m-minutes', 'pop-postpaid-m-sms']);
  assert.ok(now.find((b) => b.usageType === 'voice').unlimited);
  const closed = await buckets(`product.id=${sid}&status=closed`);
  assert.equal(closed.length, 3);
  for (const b of closed.filter((x) => !x.unlimited)) assert.equal(b.remainedAmount.amount, 0, 'what was left expired');
  const ledger = await runSql(srv, `SELECT reason, COUNT(*) FROM balance_ledger WHERE bucket_id IN (SELECT id FROM bucket WHERE product_id = '${sid}') GROUP BY reason ORDER BY reason`);
  assert.equal(ledger.replace(/\s+/g, ' ').replace(/\|/g, ' '), 'create 6 expiry 2', 'the unlimited SMS bucket held nothing to expire');
  // every bucket still equals the sum of its ledger
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0');
});

test('the demo lines have their buckets: one shared pool for the family, a wallet for each prepaid line', async () => {
  const fam = (await srv.request('GET', `${PROD}?status=active&productOffering.id=po-family-share`)).json;
  assert.ok(fam.length >= 3);
  const acc = fam[0].billingAccount.id;
  assert.ok(fam.every((p) => p.billingAccount.id === acc), 'one family account');
  // a bucket's successor is made a day before it ends (docs/charging.md "Renewal and rollover"): only those valid now
  const now = Date.now();
  const current = (b) => Date.parse(b.validFor.startDateTime) <= now && now < Date.parse(b.validFor.endDateTime);
  const pools = (await buckets(`partyAccount.id=${acc}&usageType=data&status=active`)).filter((b) => b.isShared && current(b));
  assert.equal(pools.length, 1, JSON.stringify(pools));
  assert.equal(pools[0].bucketSource, 'shared');
  assert.deepEqual(pools[0].remainedAmount, { amount: 53687091200, units: 'byte' }); // 50 GB
  assert.equal(pools[0].logicalResource, undefined);
  for (const p of fam) {
    const own = (await buckets(`product.id=${p.id}&status=active`)).filter(current);
    assert.deepEqual(own.map((b) => b.usageType).sort(), ['sms', 'voice'], 'each line its own calls and SMS');
  }
  const prepaid = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json
    .filter((p) => p.productOffering.id.startsWith('po-prepaid') && !ordered.has(p.id));
  assert.ok(prepaid.length >= 3);
  for (const p of prepaid) {
    const w = await buckets(`product.id=${p.id}&usageType=monetary`);
    assert.equal(w.length, 1, p.id);
    assert.deepEqual(w[0].remainedAmount, { amount: 10, units: 'EUR' });
    assert.equal(w[0].bucketSource, 'wallet');
  }
  // the care view shows each line's balances
  const bundle = prepaid.find((p) => p.productOffering.id === 'po-prepaid-bundle-10');
  const cust = bundle.relatedParty.find((r) => r.role === 'customer').id;
  const v = (await srv.request('GET', `/api/v1/customers/${cust}/view`)).json;
  const msisdn = bundle.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const mine = v.balances.filter((b) => b.msisdn === msisdn).map((b) => [b.usageType, b.bucketSource, b.remaining, b.units]);
  assert.deepEqual(mine.sort(), [['data', 'plan', 2147483648, 'byte'], ['monetary', 'wallet', 10, 'EUR'],
    ['sms', 'plan', 100, 'msg'], ['voice', 'plan', 6000, 's']].sort(), JSON.stringify(v.balances));
  const postpaid = (await srv.request('GET', `${PROD}?status=active&productOffering.id=po-postpaid-m`)).json[0];
  assert.deepEqual(await buckets(`product.id=${postpaid.id}&usageType=monetary`), [], 'postpaid lines have no wallet');
});
