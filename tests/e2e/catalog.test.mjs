// catalog.test.mjs: the TMF620 catalog end to end: the bad inputs of the
// catalog issue, each answered with its status, error code and field path
// (money with more than 6 decimals, negative prices, unknown currencies,
// overlapping tiers, time bands leaving hours unpriced, duplicate prefixes,
// references to missing or retired documents, bundle cycles, Obsolete ->
// Active, deleting an offering an active product uses), versions of an
// Active price read back with ?asOf=, and catalog markets (market,
// pricesIncludeTax): bad members, and the 422s of an offering sold in two
// markets or priced in another currency, on the write that causes them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, runSql } from './lib/server.mjs';

const BASE = '/tmf-api/productCatalogManagement/v4';
const eur = (value) => ({ unit: 'EUR', value });
let srv;

before(async () => { srv = await startServer({ testClock: true }); });

async function setClock(now) {
  const r = await srv.request('PUT', '/admin/v1/clock', { body: { now } });
  assert.ok(r.status === 200 || r.status === 204, `PUT clock: ${r.status} ${r.text}`);
}

async function post(seg, body) {
  const r = await srv.request('POST', `${BASE}/${seg}`, { body });
  assert.equal(r.status, 201, `POST ${seg}: ${r.text}`);
  return r.json;
}

async function patch(seg, id, body) {
  const r = await srv.request('PATCH', `${BASE}/${seg}/${id}`, { body });
  assert.equal(r.status, 200, `PATCH ${seg}/${id}: ${r.text}`);
  return r.json;
}

async function bad(seg, body, status, code, field) {
  const r = await srv.request('POST', `${BASE}/${seg}`, { body });
  expectError(r, status, code, field, `POST ${seg} ${JSON.stringify(body).slice(0, 160)}`);
  return r;
}

const monthly = (value) => ({ name: 'Monthly fee', priceType: 'recurring', price: eur(value),
  recurringChargePeriodType: 'month', lifecycleStatus: 'Active' });

let spec, price;
test('a specification, a price and an offering that sells them', async () => {
  await setClock('2026-01-01T00:00:00Z');
  spec = await post('productSpecification', { name: 'Mobile line', lifecycleStatus: 'Active',
    productSpecCharacteristic: [{ name: 'msisdnRequired', valueType: 'boolean', productSpecCharacteristicValue: [{ value: true }] }] });
  assert.equal(spec.version, '1');
  price = await post('productOfferingPrice', monthly(9.99));
  const o = await post('productOffering', { name: 'Plan S', lifecycleStatus: 'Active',
    productSpecification: { id: spec.id }, productOfferingPrice: [{ id: price.id }] });
  assert.equal(o.lifecycleStatus, 'Active');
  assert.ok(o.lastUpdate.startsWith('2026-01-01T00:00:00'), o.lastUpdate);
});

test('money: more than 6 decimals, negative, unknown currency', async () => {
  await bad('productOfferingPrice', { name: 'x', priceType: 'oneTime', price: eur(1.0000001) }, 400, 'INVALID', 'price.value');
  await bad('productOfferingPrice', { name: 'x', priceType: 'oneTime', price: eur('-5') }, 422, 'UNPROCESSABLE', 'price.value');
  await bad('productOfferingPrice', { name: 'x', priceType: 'oneTime', price: { unit: 'EUX', value: 1 } }, 400, 'INVALID', 'price.unit');
});

test('usage tiers that overlap or leave a gap are 422 with the tier path', async () => {
  const tiers = (second) => ({ name: 'Data', priceType: 'usage', unitOfMeasure: { amount: 1, units: 'MB' },
    usage: { service: 'data', structure: 'tiered', tiers: [{ from: 0, to: 1000, price: eur(0.01) }, { from: second, price: eur(0.005) }] } });
  await bad('productOfferingPrice', tiers(500), 422, 'UNPROCESSABLE', 'usage.tiers[1].from');
  await bad('productOfferingPrice', tiers(1500), 422, 'UNPROCESSABLE', 'usage.tiers[1].from');
});

test('zone tables: duplicate prefixes; time bands: hours of the week in no band', async () => {
  const r = await bad('zoneTable', { name: 'NL', kind: 'destination', zones: [
    { name: 'mobile', prefixes: ['316'] }, { name: 'fixed', prefixes: ['31', '316'] }] }, 422, 'UNPROCESSABLE', 'zones[1].prefixes[1]');
  assert.match(r.json.message, /316/);
  const b = await bad('timeBandPlan', { name: 'NL', timeZone: 'Europe/Amsterdam', bands: [
    { name: 'peak', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' },
    { name: 'weekend', days: ['sat', 'sun'], from: '00:00', to: '24:00' }] }, 422, 'UNPROCESSABLE', 'bands');
  assert.match(b.json.message, /no band/);
  const zt = await post('zoneTable', { name: 'NL', kind: 'destination', zones: [
    { name: 'mobile', prefixes: ['316'] }, { name: 'fixed', prefixes: ['31'] }] });
  await bad('productOfferingPrice', { name: 'Calls', priceType: 'usage', price: eur(0.1), unitOfMeasure: { amount: 1, units: 'minute' },
    usage: { service: 'voice', zoneTableId: 'no-such-table' } }, 400, 'INVALID', 'usage.zoneTableId');
  const calls = await post('productOfferingPrice', { name: 'Calls', priceType: 'usage', price: eur(0.1),
    unitOfMeasure: { amount: 1, units: 'minute' }, usage: { service: 'voice', zoneTableId: zt.id,
      rates: [{ zone: 'mobile', band: '*', price: eur(0.2) }] } });
  const del = await srv.request('DELETE', `${BASE}/zoneTable/${zt.id}`);
  expectError(del, 409, 'CONFLICT', 'id', 'DELETE a zone table a price names');
  assert.match(del.json.message, new RegExp(calls.id));
});

test('references to missing or retired documents: 400 / 422 with the path', async () => {
  await bad('productOffering', { name: 'x', productSpecification: { id: 'no-such-spec' } }, 400, 'INVALID', 'productSpecification.id');
  await bad('productOffering', { name: 'x', productSpecification: { id: spec.id }, productOfferingPrice: [{ id: price.id }, { id: 'nope' }] },
    400, 'INVALID', 'productOfferingPrice[1].id');
  await bad('productOffering', { name: 'x', isBundle: true, bundledProductOffering: [{ id: 'nope' }] }, 400, 'INVALID', 'bundledProductOffering[0].id');
  await bad('productOffering', { name: 'x', productSpecification: { id: spec.id }, category: [{ id: 'nope' }] }, 400, 'INVALID', 'category[0].id');
  const old = await post('productSpecification', { name: 'Old line', lifecycleStatus: 'Active' });
  await patch('productSpecification', old.id, { lifecycleStatus: 'Retired' });
  const r = await bad('productOffering', { name: 'x', productSpecification: { id: old.id } }, 422, 'UNPROCESSABLE', 'productSpecification.id');
  assert.match(r.json.message, /Retired/);
  const oldPrice = await post('productOfferingPrice', monthly(5));
  await patch('productOfferingPrice', oldPrice.id, { lifecycleStatus: 'Retired' });
  await bad('productOffering', { name: 'x', productSpecification: { id: spec.id }, productOfferingPrice: [{ id: oldPrice.id }] },
    422, 'UNPROCESSABLE', 'productOfferingPrice[0].id');
});

test('bundle cycles and add-ons without a base plan are 422', async () => {
  const base = await post('productOffering', { name: 'Base', productSpecification: { id: spec.id } });
  const b1 = await post('productOffering', { name: 'B1', isBundle: true, bundledProductOffering: [{ id: base.id }] });
  const b2 = await post('productOffering', { name: 'B2', isBundle: true, bundledProductOffering: [{ id: b1.id }] });
  const r = await srv.request('PATCH', `${BASE}/productOffering/${b1.id}`, { body: { bundledProductOffering: [{ id: base.id }, { id: b2.id }] } });
  expectError(r, 422, 'UNPROCESSABLE', 'bundledProductOffering[1].id', 'bundle cycle');
  const addon = await post('productOffering', { name: 'Data 5 GB', productSpecification: { id: spec.id },
    productOfferingRelationship: [{ id: base.id, relationshipType: 'addOnTo' }] });
  await bad('productOffering', { name: 'Add-on to an add-on', productSpecification: { id: spec.id },
    productOfferingRelationship: [{ id: addon.id, relationshipType: 'addOnTo' }] }, 422, 'UNPROCESSABLE', 'productOfferingRelationship[0].id');
});

test('illegal lifecycle transitions are 409 STATE on lifecycleStatus', async () => {
  const s = await post('productSpecification', { name: 'Legacy', lifecycleStatus: 'In design' });
  await patch('productSpecification', s.id, { lifecycleStatus: 'Obsolete' });
  const r = await srv.request('PATCH', `${BASE}/productSpecification/${s.id}`, { body: { lifecycleStatus: 'Active' } });
  expectError(r, 409, 'STATE', 'lifecycleStatus', 'Obsolete -> Active');
  assert.match(r.json.message, /Obsolete to Active/);
  const o = await post('productOffering', { name: 'Retiring', productSpecification: { id: spec.id }, lifecycleStatus: 'Active' });
  await patch('productOffering', o.id, { lifecycleStatus: 'Retired' });
  const back = await srv.request('PATCH', `${BASE}/productOffering/${o.id}`, { body: { lifecycleStatus: 'In design' } });
  expectError(back, 409, 'STATE', 'lifecycleStatus', 'Retired -> In design');
  assert.equal(back.json.message, 'lifecycleStatus cannot change from Retired to In design; from Retired it may become: Obsolete');
  await patch('productOffering', o.id, { lifecycleStatus: 'Obsolete' });
  const fin = await srv.request('PATCH', `${BASE}/productOffering/${o.id}`, { body: { lifecycleStatus: 'Active' } });
  assert.equal(fin.json.message, 'lifecycleStatus cannot change from Obsolete to Active; Obsolete is final');
});

test('deleting an offering that active products use is 409 naming how many', async () => {
  const o = await post('productOffering', { name: 'Plan M', productSpecification: { id: spec.id }, productOfferingPrice: [{ id: price.id }] });
  await runSql(srv, `INSERT INTO product (id, doc, created_ms, updated_ms, row_version, offering_id, offering_version, status, account_id) VALUES
    ('e2e-p1', '{}', 0, 0, 1, '${o.id}', '1', 'active', 'a1'), ('e2e-p2', '{}', 0, 0, 1, '${o.id}', '1', 'active', 'a2'),
    ('e2e-p3', '{}', 0, 0, 1, '${o.id}', '1', 'terminated', 'a3')`);
  const r = await srv.request('DELETE', `${BASE}/productOffering/${o.id}`);
  expectError(r, 409, 'CONFLICT', 'id', 'DELETE an offering in use');
  assert.match(r.json.message, /used by 2 active products/);
  expectError(await srv.request('DELETE', `${BASE}/productOfferingPrice/${price.id}`), 409, 'CONFLICT', 'id', 'DELETE a price in use');
  expectError(await srv.request('DELETE', `${BASE}/productSpecification/${spec.id}`), 409, 'CONFLICT', 'id', 'DELETE a spec in use');
  await runSql(srv, `UPDATE product SET status = 'terminated' WHERE offering_id = '${o.id}'`);
  const d = await srv.request('DELETE', `${BASE}/productOffering/${o.id}`);
  assert.equal(d.status, 204, d.text);
});

test('a price change of an Active price is a new version; asOf reads the old one', async () => {
  const p = await post('productOfferingPrice', monthly(20));
  assert.equal(p.version, '1');
  await setClock('2026-03-01T00:00:00Z');
  const renamed = await patch('productOfferingPrice', p.id, { description: 'no new version' });
  assert.equal(renamed.version, '1');
  const v2 = await patch('productOfferingPrice', p.id, { price: eur(25) });
  assert.equal(v2.version, '2');
  assert.equal(v2.validFor.startDateTime, '2026-03-01T00:00:00.000Z');
  const v3 = await patch('productOfferingPrice', p.id, { price: eur(30), validFor: { startDateTime: '2026-04-01T00:00:00Z' } });
  assert.equal(v3.version, '3');
  const at = async (t) => srv.request('GET', `${BASE}/productOfferingPrice/${p.id}?asOf=${encodeURIComponent(t)}`);
  let r = await at('2026-02-01T00:00:00Z');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, '1');
  assert.equal(r.json.price.value, 20);
  r = await at('2026-03-15T00:00:00+01:00');
  assert.equal(r.json.version, '2', r.text);
  assert.equal(r.json.price.value, 25);
  r = await at('2026-05-01T00:00:00Z');
  assert.equal(r.json.version, '3', r.text);
  expectError(await at('2025-12-31T00:00:00Z'), 404, 'NOT_FOUND', 'id', 'before it existed');
  expectError(await at('yesterday'), 400, 'INVALID', 'asOf', 'bad asOf');
  const plain = await srv.request('GET', `${BASE}/productOfferingPrice/${p.id}`);
  assert.equal(plain.json.version, '3');
  const list = await srv.request('GET', `${BASE}/productOfferingPrice?asOf=2026-02-01T00:00:00Z&name=Monthly%20fee&fields=version,price`);
  assert.equal(list.status, 200, list.text);
  const mine = list.json.find((x) => x.id === p.id);
  assert.ok(mine, list.text);
  assert.equal(mine.version, '1');
  assert.equal(list.headers['x-total-count'], String(list.json.length));
  // an effective date before the current version's start is refused
  const back = await srv.request('PATCH', `${BASE}/productOfferingPrice/${p.id}`,
    { body: { price: eur(31), validFor: { startDateTime: '2026-03-10T00:00:00Z' } } });
  expectError(back, 400, 'INVALID', 'validFor.startDateTime', 'version before the current one');
});

test('reads take any role; writes need admin or agent', async () => {
  const mk = async (role) => {
    const r = await srv.request('POST', '/admin/v1/keys', { body: { name: `k-${role}`, role } });
    assert.ok(r.status === 201 || r.status === 200, r.text);
    return r.json.key || r.json.secret || r.json.token;
  };
  const ro = await mk('readonly');
  const r = await srv.request('GET', `${BASE}/productOffering`, { key: ro });
  assert.equal(r.status, 200, r.text);
  const w = await srv.request('POST', `${BASE}/productSpecification`, { key: ro, body: { name: 'nope' } });
  expectError(w, 403, 'FORBIDDEN', undefined, 'readonly write');
});

test('markets: bad members are 400; conflicts and foreign currencies are 422 on the write that causes them', async () => {
  const home = { name: 'Home market', lifecycleStatus: 'Active' };
  await bad('catalog', { ...home, market: 'NL' }, 400, 'INVALID', 'market');
  await bad('catalog', { ...home, market: { country: 'nl', currency: 'EUR' } }, 400, 'INVALID', 'market.country');
  await bad('catalog', { ...home, market: { country: 'XX', currency: 'EUR' } }, 400, 'INVALID', 'market.country');
  await bad('catalog', { ...home, market: { country: 'NL', currency: 'EUX' } }, 400, 'INVALID', 'market.currency');
  await bad('catalog', { ...home, market: { country: 'NL', currency: 'EUR' }, pricesIncludeTax: 'yes' }, 400, 'INVALID', 'pricesIncludeTax');
  await bad('catalog', { ...home, pricesIncludeTax: true }, 400, 'INVALID', 'pricesIncludeTax');

  const cHome = await post('category', { name: 'Consumer plans', lifecycleStatus: 'Active' });
  const cBiz = await post('category', { name: 'Business plans', lifecycleStatus: 'Active' });
  const nlEur = { country: 'NL', currency: 'EUR' };
  const consumer = await post('catalog', { ...home, market: nlEur, pricesIncludeTax: true, category: [{ id: cHome.id }] });
  assert.deepEqual(consumer.market, nlEur);
  assert.equal(consumer.pricesIncludeTax, true);
  const business = await post('catalog', { name: 'Business market', lifecycleStatus: 'Active', market: nlEur,
    category: [{ id: cBiz.id }] }); // pricesIncludeTax absent: net prices
  const fee = await post('productOfferingPrice', { name: 'Plan fee', priceType: 'recurring', price: eur(24.2),
    recurringChargePeriodType: 'month', lifecycleStatus: 'Active' });
  const mk = (name, cats, prices = [fee.id]) => ({ name, lifecycleStatus: 'Active', productSpecification: { id: spec.id },
    category: cats.map((id) => ({ id })), productOfferingPrice: prices.map((id) => ({ id })) });

  // an offering in a consumer (tax-inclusive) and a business (net) catalog at once
  let r = await srv.request('POST', `${BASE}/productOffering`, { body: mk('Both', [cHome.id, cBiz.id]) });
  expectError(r, 422, 'UNPROCESSABLE', 'category[1].id', 'offering in two markets');
  assert.match(r.json.message, /prices excluding tax/);
  const plan = await post('productOffering', mk('Home plan', [cHome.id]));
  await post('productOffering', mk('Business plan', [cBiz.id]));
  // the catalog write that would put the home plan in the business market
  r = await srv.request('PATCH', `${BASE}/catalog/${business.id}`, { body: { category: [{ id: cBiz.id }, { id: cHome.id }] } });
  expectError(r, 422, 'UNPROCESSABLE', 'pricesIncludeTax', 'catalog joining a category of another tax treatment');
  assert.match(r.json.message, new RegExp(`productOffering ${plan.id} is also sold in catalog ${consumer.id}`));
  // agreeing on everything is fine
  await patch('catalog', business.id, { pricesIncludeTax: true, category: [{ id: cBiz.id }, { id: cHome.id }] });
  await patch('catalog', business.id, { pricesIncludeTax: false, category: [{ id: cBiz.id }] });

  // currencies: the market's against the prices of what it sells, from all three sides
  r = await srv.request('PATCH', `${BASE}/catalog/${business.id}`, { body: { market: { country: 'NL', currency: 'USD' } } });
  expectError(r, 422, 'UNPROCESSABLE', 'market.currency', 'market currency against the prices');
  const usd = await post('productOfferingPrice', { name: 'Dollar fee', priceType: 'oneTime', price: { unit: 'USD', value: 5 },
    lifecycleStatus: 'Active' });
  r = await srv.request('PATCH', `${BASE}/productOffering/${plan.id}`,
    { body: { productOfferingPrice: [{ id: fee.id }, { id: usd.id }] } });
  expectError(r, 422, 'UNPROCESSABLE', 'productOfferingPrice[1].id', 'offering taking a USD price in a EUR market');
  r = await srv.request('PATCH', `${BASE}/productOfferingPrice/${fee.id}`, { body: { price: { unit: 'GBP', value: 20 } } });
  expectError(r, 422, 'UNPROCESSABLE', 'price.unit', 'price leaving its market currency');
  assert.match(r.json.message, /its currency GBP is not EUR/);
  // a Retired catalog no longer constrains anything
  await patch('catalog', consumer.id, { lifecycleStatus: 'Retired' });
  await post('productOffering', mk('Both again', [cHome.id, cBiz.id]));
});

test('an Active offering sells only live prices and bundled offerings: 422 naming every one still In design', async () => {
  const spec = await post('productSpecification', { name: 'Live check', lifecycleStatus: 'Active' });
  const draft1 = await post('productOfferingPrice', { name: 'Draft fee', priceType: 'oneTime', price: eur(5) });
  const draft2 = await post('productOfferingPrice', { name: 'Draft monthly', priceType: 'recurring', price: eur(9),
    recurringChargePeriodType: 'month' });
  const live = await post('productOfferingPrice', { name: 'Live fee', priceType: 'oneTime', price: eur(1), lifecycleStatus: 'Active' });
  const body = { name: 'Too early', lifecycleStatus: 'Active', productSpecification: { id: spec.id },
    productOfferingPrice: [{ id: live.id }, { id: draft1.id }, { id: draft2.id }] };
  let r = await srv.request('POST', `${BASE}/productOffering`, { body });
  expectError(r, 422, 'UNPROCESSABLE', 'productOfferingPrice[1].id', 'Active offering with draft prices');
  assert.equal(r.json.message, `an Active offering sells only live prices; not live: ${draft1.id} (In design), ${draft2.id} (In design). Make them Active first`);
  // in design it may take them; making it Active is the write refused
  const o = await post('productOffering', { ...body, lifecycleStatus: 'In design' });
  r = await srv.request('PATCH', `${BASE}/productOffering/${o.id}`, { body: { lifecycleStatus: 'Active' } });
  expectError(r, 422, 'UNPROCESSABLE', 'productOfferingPrice[1].id', 'activating an offering with draft prices');
  await patch('productOfferingPrice', draft1.id, { lifecycleStatus: 'Active' });
  await patch('productOfferingPrice', draft2.id, { lifecycleStatus: 'Active' });
  const active = await patch('productOffering', o.id, { lifecycleStatus: 'Active' });
  assert.equal(active.lifecycleStatus, 'Active');
  // a live offering cannot take a draft price either, nor bundle a draft offering
  const draft3 = await post('productOfferingPrice', { name: 'Draft 3', priceType: 'oneTime', price: eur(2) });
  r = await srv.request('PATCH', `${BASE}/productOffering/${o.id}`,
    { body: { productOfferingPrice: [{ id: live.id }, { id: draft3.id }] } });
  expectError(r, 422, 'UNPROCESSABLE', 'productOfferingPrice[1].id', 'live offering taking a draft price');
  const part = await post('productOffering', { name: 'Draft part', productSpecification: { id: spec.id } });
  r = await srv.request('POST', `${BASE}/productOffering`, { body: { name: 'Bundle', lifecycleStatus: 'Active', isBundle: true,
    bundledProductOffering: [{ id: o.id }, { id: part.id }] } });
  expectError(r, 422, 'UNPROCESSABLE', 'bundledProductOffering[1].id', 'live bundle of a draft offering');
  assert.match(r.json.message, /only live bundled offerings; not live: .* \(In design\)/);
});
