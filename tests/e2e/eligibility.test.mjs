// eligibility.test.mjs: POST .../productOffering/{id}/checkEligibility
// (src/api/tmf620_eligibility.c) on the demo catalog: every reason code,
// the promotions that apply (segment, channel, coupon, new customers), the
// multi-line (minLines, perLine) and loyalty (minTenureMonths) promotions of
// the demo, bad bodies with their field, 404, roles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError } from './lib/server.mjs';

const BASE = '/tmf-api/productCatalogManagement/v4';
let srv;

before(async () => {
  srv = await startServer({ args: ['--demo', '--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true });
});

// Asks as a consumer on the web unless the body says otherwise.
async function check(id, body, key) {
  const r = await srv.request('POST', `${BASE}/productOffering/${id}/checkEligibility`,
    { body: { customerSegment: 'consumer', channel: 'web', ...body }, key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.offeringId, id);
  return r.json;
}
const codes = (res) => res.reasons.map((x) => x.code);

test('a new consumer on the web: Postpaid M with the half-price promotion', async () => {
  const res = await check('po-postpaid-m', { customerSegment: 'consumer', channel: 'web', newCustomer: true });
  assert.equal(res.eligible, true);
  assert.deepEqual(res.reasons, []);
  assert.equal(res.promotions.length, 0, 'the promotion needs its coupon');
  const withCoupon = await check('po-postpaid-m', { customerSegment: 'consumer', channel: 'web', couponCode: 'welcome50' });
  assert.deepEqual(withCoupon.promotions, [{
    id: 'promo-half-price-3m', name: 'Half price for 3 months', couponCode: 'WELCOME50',
    discount: { percentage: 50, cycles: 3 }, stackable: false,
    description: '50% off the recurring charges for the first 3 cycles',
  }]);
  assert.deepEqual(withCoupon.warnings, []);
});

test('the promotion is for new consumers of S/M/L only; a useless coupon is a warning', async () => {
  const existing = await check('po-postpaid-m', { customerSegment: 'consumer', couponCode: 'WELCOME50',
    accountOfferings: [{ id: 'po-prepaid-payg' }] });
  assert.equal(existing.eligible, true);
  assert.deepEqual(existing.promotions, []);
  assert.deepEqual(existing.warnings.map((w) => w.code), ['COUPON_NOT_APPLICABLE']);
  const since = await check('po-postpaid-s', { customerSegment: 'consumer', channel: 'app', couponCode: 'WELCOME50',
    customerSince: '2026-05-20T00:00:00Z', accountOfferings: [{ id: 'po-prepaid-payg' }] });
  assert.equal(since.promotions.length, 1, 'a customer of 12 days is new');
  const business = await check('po-postpaid-m', { customerSegment: 'business', couponCode: 'WELCOME50' });
  assert.equal(business.eligible, true);
  assert.deepEqual(business.promotions, []);
  const family = await check('po-family-share', { customerSegment: 'consumer', couponCode: 'WELCOME50' });
  assert.deepEqual(family.promotions, []);
});

test('segment and channel not allowed', async () => {
  const res = await check('po-family-share', { customerSegment: 'business', channel: 'fax' });
  assert.equal(res.eligible, false);
  assert.deepEqual(codes(res), ['SEGMENT_NOT_ALLOWED', 'CHANNEL_NOT_ALLOWED']);
  assert.match(res.reasons[0].message, /business/);
});

test('add-on needs a base plan; with one it is fine', async () => {
  const res = await check('po-addon-international', { customerSegment: 'consumer', accountOfferings: [{ id: 'po-prepaid-payg' }] });
  assert.equal(res.eligible, false);
  assert.deepEqual(codes(res), ['BASE_PLAN_REQUIRED']);
  assert.match(res.reasons[0].message, /Postpaid S/);
  const ok = await check('po-addon-international', { customerSegment: 'consumer', accountOfferings: [{ id: 'po-postpaid-l', quantity: 1 }] });
  assert.equal(ok.eligible, true, JSON.stringify(ok));
});

test('max quantity per account', async () => {
  const ok = await check('po-prepaid-payg', { accountOfferings: [{ id: 'po-prepaid-payg', quantity: 4 }] });
  assert.equal(ok.eligible, true);
  const res = await check('po-prepaid-payg', { quantity: 2, accountOfferings: [{ id: 'po-prepaid-payg', quantity: 4 }] });
  assert.deepEqual(codes(res), ['MAX_QUANTITY_EXCEEDED']);
  assert.match(res.reasons[0].message, /at most 5/);
});

test('mutually exclusive offerings, declared on either side', async () => {
  const a = await check('po-prepaid-bundle-20', { accountOfferings: [{ id: 'po-prepaid-bundle-10' }] });
  assert.deepEqual(codes(a), ['EXCLUDED_OFFERING_HELD']);
  const b = await check('po-prepaid-bundle-10', { accountOfferings: [{ id: 'po-prepaid-bundle-20' }] });
  assert.deepEqual(codes(b), ['EXCLUDED_OFFERING_HELD']);
});

test('an offering not Active or outside its validFor', async () => {
  const spec = { id: 'ps-mobile-line' };
  const draft = await srv.request('POST', `${BASE}/productOffering`, { body: { name: 'Draft plan', productSpecification: spec } });
  assert.equal(draft.status, 201, draft.text);
  const res = await check(draft.json.id, {});
  assert.deepEqual(codes(res), ['OFFERING_NOT_ACTIVE']);
  const later = await srv.request('POST', `${BASE}/productOffering`, { body: { name: 'Next year', productSpecification: spec,
    lifecycleStatus: 'Active', validFor: { startDateTime: '2027-01-01T00:00:00Z' } } });
  assert.equal(later.status, 201, later.text);
  assert.deepEqual(codes(await check(later.json.id, {})), ['OUTSIDE_VALID_FOR']);
});

test('bad bodies name the field; unknown offering is 404', async () => {
  const url = `${BASE}/productOffering/po-postpaid-m/checkEligibility`;
  const cases = [
    [{ quantity: 0 }, 'quantity'],
    [{ quantity: 'two' }, 'quantity'],
    [{ customerSegment: 7 }, 'customerSegment'],
    [{ channel: ['web'] }, 'channel'],
    [{ couponCode: 50 }, 'couponCode'],
    [{ newCustomer: 'yes' }, 'newCustomer'],
    [{ customerSince: 'last year' }, 'customerSince'],
    [{ accountOfferings: {} }, 'accountOfferings'],
    [{ accountOfferings: [{ quantity: 1 }] }, 'accountOfferings[0].id'],
    [{ accountOfferings: [{ id: 'po-postpaid-s' }, { id: 'x', quantity: 0 }] }, 'accountOfferings[1].quantity'],
  ];
  for (const [body, field] of cases) {
    const r = await srv.request('POST', url, { body });
    assertTmfError(r, 400, assert, JSON.stringify(body));
    assert.equal(r.json.field, field, r.text);
  }
  const arr = await srv.request('POST', url, { body: [] });
  assertTmfError(arr, 400, assert);
  const nf = await srv.request('POST', `${BASE}/productOffering/po-nope/checkEligibility`, { body: {} });
  assertTmfError(nf, 404, assert);
  const empty = await srv.request('POST', url);
  assert.equal(empty.status, 200, 'an empty body asks about an unknown customer');
});

test('any role may ask; no key is 401', async () => {
  const k = await srv.request('POST', '/admin/v1/keys', { body: { name: 'orders', role: 'agent' } });
  const res = await check('po-postpaid-s', { customerSegment: 'consumer' }, k.json.key);
  assert.equal(res.eligible, true);
  const r = await srv.request('POST', `${BASE}/productOffering/po-postpaid-s/checkEligibility`, { body: {}, key: null });
  assert.equal(r.status, 401);
});

test('multi-line: 10% off each business line after the first', async () => {
  const biz = { customerSegment: 'business', channel: 'web' };
  const first = await check('po-business-unlimited', biz);
  assert.equal(first.eligible, true, JSON.stringify(first));
  assert.deepEqual(first.promotions, [], 'the first line gets nothing');
  // one line held, two ordered: lines 2 and 3 both get 10%
  const more = await check('po-business-unlimited', { ...biz, quantity: 2,
    accountOfferings: [{ id: 'po-business-unlimited', quantity: 1 }, { id: 'po-addon-data-1gb', quantity: 3 }] });
  assert.equal(more.promotions.length, 1, JSON.stringify(more));
  const p = more.promotions[0];
  assert.equal(p.id, 'promo-multi-line-business');
  assert.equal(p.discount.percentage, 10);
  assert.equal(p.stackable, true);
  assert.equal(p.description,
    '10% off the recurring charges of each line from the 2nd (2 lines of this order) for accounts with 2+ lines');
  // any line held counts (a consumer plan too); add-ons are no lines
  const mixed = await check('po-business-unlimited', { ...biz, accountOfferings: [{ id: 'po-postpaid-s' }] });
  assert.match(mixed.promotions[0].description, /\(1 line of this order\)/);
  const addons = await check('po-business-unlimited', { ...biz, accountOfferings: [{ id: 'po-addon-data-1gb', quantity: 5 }] });
  assert.deepEqual(addons.promotions, []);
  // not for consumers, who cannot buy the business plan anyway
  const consumer = await check('po-business-unlimited', { quantity: 3 });
  assert.deepEqual(codes(consumer), ['SEGMENT_NOT_ALLOWED']);
  assert.deepEqual(consumer.promotions, []);
});

test('loyalty: 10% off for consumers of 24 months or more', async () => {
  // now is 2026-06-01T10:00Z: customers since 2024-06-01T10:00Z have 24 whole months
  const since = (at) => check('po-postpaid-m', { customerSince: at, accountOfferings: [{ id: 'po-postpaid-s' }] });
  const loyal = await since('2024-06-01T10:00:00Z');
  assert.equal(loyal.tenureMonths, 24);
  assert.deepEqual(loyal.lines, { held: 1, ordered: 1 });
  assert.deepEqual(loyal.promotions.map((p) => [p.id, p.description]),
    [['promo-loyalty-24m', '10% off the recurring charges for customers of 24+ months']]);
  const almost = await since('2024-06-01T10:00:01Z');
  assert.equal(almost.tenureMonths, 23);
  assert.deepEqual(almost.promotions, []);
  const business = await check('po-postpaid-m', { customerSegment: 'business', customerSince: '2020-01-01T00:00:00Z' });
  assert.deepEqual(business.promotions, [], 'the loyalty promotion is for consumers');
  const biz = await check('po-business-unlimited', { customerSegment: 'business', quantity: 2 });
  assert.deepEqual(biz.promotions[0].discount, { percentage: 10, perLine: { fromLine: 2, discountedLines: 1 } });
});
