// promotion.test.mjs: the TMF671-style promotion resource
// (/tmf-api/promotionManagement/v4/promotion, src/api/tmf671.c) on a server
// seeded with the demo catalog: create with defaults and normalisation, every
// bad input with its status and field, coupon-code uniqueness among live
// promotions (409), lifecycle transitions, merge patch, events, delete, and
// the loyalty / multi-line members (minLines, minTenureMonths,
// action.perLine).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError } from './lib/server.mjs';

const PROMO = '/tmf-api/promotionManagement/v4/promotion';
let srv;

before(async () => {
  srv = await startServer({ args: ['--demo', '--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true });
});

const base = (extra = {}) => ({
  name: 'Spring deal',
  action: { type: 'discount', percentage: 25, cycles: 2, offeringIds: ['po-postpaid-s'] },
  ...extra,
});

async function create(body) {
  const r = await srv.request('POST', PROMO, { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('create: id, href, @type, defaults, upper-case coupons, pattern kept as posted', async () => {
  const pattern = [{ criteriaGroup: [{ criteria: [{ criteriaPara: 'channel', criteriaOperator: '=', criteriaValue: 'web' }] }] }];
  const p = await create(base({ couponCodes: ['spring-25', 'Spring_Web'], pattern,
    eligibility: { segments: ['consumer'], channels: ['web', 'app'], newCustomersOnly: false },
    validFor: { startDateTime: '2026-03-01T00:00:00Z', endDateTime: '2026-06-30T23:59:59Z' } }));
  assert.equal(p['@type'], 'Promotion');
  assert.equal(p.href, `${srv.url}${PROMO}/${p.id}`);
  assert.equal(p.lifecycleStatus, 'In design');
  assert.equal(p.stackable, false);
  assert.deepEqual(p.couponCodes, ['SPRING-25', 'SPRING_WEB']);
  assert.deepEqual(p.pattern, pattern);
  assert.equal(p.lastUpdate, '2026-06-01T10:00:00.000Z');
  const g = await srv.request('GET', `${PROMO}/${p.id}`);
  assert.deepEqual(g.json, p);
  const amount = await create({ name: 'Fiver off', action: { amount: { unit: 'EUR', value: '5.00' } }, stackable: true });
  assert.equal(amount.stackable, true);
});

test('bad input: every rule with its status and field', async () => {
  const cases = [
    [{ action: { percentage: 10 } }, 400, 'name'],
    [{ name: '' }, 400, 'name'],
    [{ name: 3 }, 400, 'name'],
    [base({ lifecycleStatus: 'Live' }), 400, 'lifecycleStatus'],
    [base({ validFor: { startDateTime: '2026-07-01T00:00:00Z', endDateTime: '2026-06-01T00:00:00Z' } }), 400, 'validFor.endDateTime'],
    [base({ validFor: { startDateTime: 'soon' } }), 400, 'validFor.startDateTime'],
    [base({ pattern: { criteriaGroup: [] } }), 400, 'pattern'],
    [base({ eligibility: ['consumer'] }), 400, 'eligibility'],
    [base({ eligibility: { segments: 'consumer' } }), 400, 'eligibility.segments'],
    [base({ eligibility: { channels: ['web', 'fax'] } }), 400, 'eligibility.channels[1]'],
    [base({ eligibility: { newCustomersOnly: 'yes' } }), 400, 'eligibility.newCustomersOnly'],
    [base({ couponCodes: 'WELCOME' }), 400, 'couponCodes'],
    [base({ couponCodes: ['AB'] }), 400, 'couponCodes[0]'],
    [base({ couponCodes: ['OK-CODE', 'bad code'] }), 400, 'couponCodes[1]'],
    [base({ couponCodes: ['TWICE', 'twice'] }), 400, 'couponCodes[1]'],
    [base({ stackable: 'no' }), 400, 'stackable'],
    [{ name: 'x', action: 'half' }, 400, 'action'],
    [{ name: 'x', action: { type: 'gift', percentage: 10 } }, 400, 'action.type'],
    [{ name: 'x', action: {} }, 400, 'action'],
    [{ name: 'x', action: { percentage: 10, amount: { unit: 'EUR', value: 1 } } }, 400, 'action'],
    [{ name: 'x', action: { percentage: 0 } }, 400, 'action.percentage'],
    [{ name: 'x', action: { percentage: 100.5 } }, 400, 'action.percentage'],
    [{ name: 'x', action: { percentage: 12.1234567 } }, 400, 'action.percentage'],
    [{ name: 'x', action: { amount: { unit: 'XXX', value: 1 } } }, 400, 'action.amount.unit'],
    [{ name: 'x', action: { amount: { unit: 'EUR', value: -1 } } }, 400, 'action.amount.value'],
    [{ name: 'x', action: { amount: { unit: 'EUR', value: '1.0000001' } } }, 400, 'action.amount.value'],
    [{ name: 'x', action: { percentage: 10, cycles: 0 } }, 400, 'action.cycles'],
    [{ name: 'x', action: { percentage: 10, cycles: 'three' } }, 400, 'action.cycles'],
    [{ name: 'x', action: { percentage: 10, offeringIds: 'po-postpaid-s' } }, 400, 'action.offeringIds'],
    [{ name: 'x', action: { percentage: 10, offeringIds: ['po-postpaid-s', 'po-missing'] } }, 400, 'action.offeringIds[1]'],
  ];
  for (const [body, status, field] of cases) {
    const r = await srv.request('POST', PROMO, { body });
    assertTmfError(r, status, assert, JSON.stringify(body));
    assert.equal(r.json.field, field, `${JSON.stringify(body)}: ${r.text}`);
  }
});

test('coupon codes are unique among live promotions (409); a retired one frees its code', async () => {
  const clash = await srv.request('POST', PROMO, { body: base({ couponCodes: ['welcome50'] }) });
  assertTmfError(clash, 409, assert);
  assert.equal(clash.json.field, 'couponCodes');
  assert.match(clash.json.message, /WELCOME50 already belongs to promotion promo-half-price-3m/);

  const a = await create(base({ couponCodes: ['SUMMER'], lifecycleStatus: 'Active' }));
  const b = await srv.request('POST', PROMO, { body: base({ couponCodes: ['summer'] }) });
  assertTmfError(b, 409, assert);
  const patch = await srv.request('PATCH', `${PROMO}/${a.id}`, { body: { lifecycleStatus: 'Retired' } });
  assert.equal(patch.status, 200, patch.text);
  const c = await create(base({ couponCodes: ['summer'] }));
  assert.deepEqual(c.couponCodes, ['SUMMER']);
  // patching a live promotion onto a live code clashes too
  const d = await create(base({ couponCodes: ['AUTUMN'] }));
  const pd = await srv.request('PATCH', `${PROMO}/${d.id}`, { body: { couponCodes: ['AUTUMN', 'Summer'] } });
  assertTmfError(pd, 409, assert);
  // keeping its own codes on a patch is no clash
  const own = await srv.request('PATCH', `${PROMO}/${d.id}`, { body: { name: 'Autumn deal' } });
  assert.equal(own.status, 200, own.text);
});

test('lifecycle: allowed and refused transitions', async () => {
  const p = await create(base());
  for (const [to, status] of [['Active', 200], ['In design', 409], ['Retired', 200], ['Active', 409], ['Obsolete', 200], ['Active', 409]]) {
    const r = await srv.request('PATCH', `${PROMO}/${p.id}`, { body: { lifecycleStatus: to } });
    assert.equal(r.status, status, `-> ${to}: ${r.text}`);
    if (status === 409) assert.equal(r.json.field, 'lifecycleStatus');
  }
});

test('merge patch, list filters, events, delete', async () => {
  const p = await create(base({ name: 'Patch me', couponCodes: ['PATCHME'] }));
  const r = await srv.request('PATCH', `${PROMO}/${p.id}`, {
    body: { action: { percentage: 30, cycles: null }, couponCodes: null },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.action, { type: 'discount', percentage: 30, offeringIds: ['po-postpaid-s'] });
  assert.equal(r.json.couponCodes, undefined);
  const l = await srv.request('GET', `${PROMO}?name=Patch%20me`);
  assert.equal(l.status, 200);
  assert.deepEqual(l.json.map((x) => x.id), [p.id]);
  const active = await srv.request('GET', `${PROMO}?lifecycleStatus=Active&fields=name`);
  assert.ok(active.json.some((x) => x.id === 'promo-half-price-3m'), active.text);
  const del = await srv.request('DELETE', `${PROMO}/${p.id}`);
  assert.equal(del.status, 204);
  assert.equal((await srv.request('GET', `${PROMO}/${p.id}`)).status, 404);
});

test('roles: any key reads, only admin/agent write', async () => {
  const k = await srv.request('POST', '/admin/v1/keys', { body: { name: 'ro', role: 'readonly' } });
  const ro = k.json.key;
  assert.equal((await srv.request('GET', PROMO, { key: ro })).status, 200);
  assert.equal((await srv.request('POST', PROMO, { key: ro, body: base() })).status, 403);
  assert.equal((await srv.request('GET', PROMO, { key: null })).status, 401);
});

test('loyalty and multi-line members: stored as posted, bad values are 400 with the field', async () => {
  const multi = await create({ name: 'Family lines', lifecycleStatus: 'Active', stackable: true,
    eligibility: { minLines: 3, minTenureMonths: 12 },
    action: { type: 'discount', amount: { unit: 'EUR', value: 5 }, perLine: { fromLine: 3 }, offeringIds: ['po-postpaid-s'] } });
  assert.deepEqual(multi.eligibility, { minLines: 3, minTenureMonths: 12 });
  assert.deepEqual(multi.action.perLine, { fromLine: 3 });
  const dflt = await create({ name: 'Each additional line', action: { percentage: 10, perLine: {} } });
  assert.deepEqual(dflt.action.perLine, {});
  const cases = [
    [{ eligibility: { minLines: 0 } }, 'eligibility.minLines'],
    [{ eligibility: { minLines: 'two' } }, 'eligibility.minLines'],
    [{ eligibility: { minLines: 2.5 } }, 'eligibility.minLines'],
    [{ eligibility: { minLines: 1001 } }, 'eligibility.minLines'],
    [{ eligibility: { minTenureMonths: -1 } }, 'eligibility.minTenureMonths'],
    [{ eligibility: { minTenureMonths: 1201 } }, 'eligibility.minTenureMonths'],
    [{ action: { percentage: 10, perLine: true } }, 'action.perLine'],
    [{ action: { percentage: 10, perLine: { fromLine: 0 } } }, 'action.perLine.fromLine'],
    [{ action: { percentage: 10, perLine: { fromLine: '2' } } }, 'action.perLine.fromLine'],
  ];
  for (const [extra, field] of cases) {
    const body = { name: 'x', action: { percentage: 10 }, ...extra };
    const r = await srv.request('POST', PROMO, { body });
    assertTmfError(r, 400, assert, JSON.stringify(body));
    assert.equal(r.json.field, field, `${JSON.stringify(body)}: ${r.text}`);
  }
  const demo = await srv.request('GET', `${PROMO}/promo-multi-line-business`);
  assert.equal(demo.status, 200, demo.text);
  assert.deepEqual(demo.json.eligibility, { segments: ['business'], minLines: 2 });
});
