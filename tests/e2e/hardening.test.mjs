// hardening.test.mjs: the attacks of the hardening issue that ride on
// ordinary requests, each reproduced and answered exactly: a null where a
// status belongs (was a 500), parameters given twice (a second dryRun ran a
// real import), bodies that are not JSON (415), and card numbers in every
// kind of document and in the writes that are not documents (API-key names,
// hub callbacks), glued to letters or spaced unusually.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError } from './lib/server.mjs';

const TMF620 = '/tmf-api/productCatalogManagement/v4';
const PROMO = '/tmf-api/promotionManagement/v4/promotion';
const ACCOUNTS = '/tmf-api/accountManagement/v4';
let srv;

before(async () => { srv = await startServer(); });

async function post(path, body, opts = {}) {
  return srv.request('POST', path, { body, ...opts });
}

test('a null lifecycleStatus is the default, never a 500, on every catalog kind', async () => {
  const spec = await post(`${TMF620}/productSpecification`, { name: 'Line', lifecycleStatus: null });
  assert.equal(spec.status, 201, spec.text);
  assert.equal(spec.json.lifecycleStatus, 'In design');
  const bodies = {
    category: { name: 'c' },
    catalog: { name: 'k' },
    productOfferingPrice: { name: 'p', priceType: 'oneTime', price: { unit: 'EUR', value: 5 } },
    productOffering: { name: 'o', productSpecification: { id: spec.json.id } },
  };
  for (const [seg, body] of Object.entries(bodies)) {
    const r = await post(`${TMF620}/${seg}`, { ...body, lifecycleStatus: null });
    assert.equal(r.status, 201, `${seg}: ${r.text}`);
    assert.equal(r.json.lifecycleStatus, 'In design', seg);
    const p = await srv.request('PATCH', `${TMF620}/${seg}/${r.json.id}`, { body: { lifecycleStatus: null } });
    assert.equal(p.status, 200, `${seg} patch: ${p.text}`);
    assert.equal(p.json.lifecycleStatus, 'In design', seg);
  }
  const promo = await post(PROMO, { name: 'promo', lifecycleStatus: null });
  assert.equal(promo.status, 201, promo.text);
  assert.equal(promo.json.lifecycleStatus, 'In design');
});

test('a parameter given twice is a 400, not the last one winning', async () => {
  const doc = { format: 'bss-catalog/1', categories: [{ id: 'cat-twice', name: 'Twice' }] };
  const r = await post('/admin/v1/catalog/import?dryRun=true&dryRun=false', doc);
  expectError(r, 400, 'INVALID', 'dryRun', 'dryRun twice');
  assert.match(r.json.message, /more than once/);
  const cat = await srv.request('GET', `${TMF620}/category/cat-twice`);
  assert.equal(cat.status, 404, 'nothing was imported');
  expectError(await srv.request('GET', '/api/v1/search?q=a&q=b'), 400, 'INVALID', 'q', 'q twice');
  expectError(await srv.request('GET', '/api/v1/search?q=a&limit=1&limit=2'), 400, 'INVALID', 'limit', 'limit twice');
  expectError(await srv.request('GET', `${TMF620}/category?lifecycleStatus=Active&lifecycleStatus=Retired`), 400,
              'INVALID', 'lifecycleStatus', 'a filter twice');
  const ok = await srv.request('GET', `${TMF620}/category?lifecycleStatus=Active,Retired`);
  assert.equal(ok.status, 200, 'one filter with a list of values is the way to ask for both');
  expectError(await srv.request('GET', '/admin/v1/audit?keyId=a&keyId=b'), 400, 'INVALID', 'keyId', 'audit filter twice');
});

test('a body that is not JSON is 415, whatever the method', async () => {
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const r = await post(`${TMF620}/category`, JSON.stringify({ name: 'x' }), { headers: { 'content-type': ct } });
    expectError(r, 415, 'UNSUPPORTED', 'Content-Type', `POST as ${ct}`);
  }
  const made = await post(`${TMF620}/category`, JSON.stringify({ name: 'x' }),
                          { headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(made.status, 201, made.text);
  const merge = await post(`${TMF620}/category`, JSON.stringify({ name: 'x' }),
                           { headers: { 'content-type': 'application/merge-patch+json' } });
  expectError(merge, 415, 'UNSUPPORTED', 'Content-Type', 'a merge patch is for PATCH only');
  const patch = await srv.request('PATCH', `${TMF620}/category/${made.json.id}`,
                                  { body: JSON.stringify({ name: 'y' }), headers: { 'content-type': 'text/plain' } });
  expectError(patch, 415, 'UNSUPPORTED', 'Content-Type', 'PATCH as text');
  expectError(await post('/admin/v1/keys', 'name=x&role=agent',
                         { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
              415, 'UNSUPPORTED', 'Content-Type', 'a form to the admin API');
});

test('card numbers are refused in every kind of document, glued or spaced as they come', async () => {
  const variants = ['cc4111111111111111', 'pm_4111111111111111', '4111.1111.1111.1111', '4111\u00a01111\u00a01111\u00a01111',
                    'ref 123456 4111 1111 1111 1111', '4111 - 1111 - 1111 - 1111'];
  for (const v of variants) {
    expectError(await post(`${TMF620}/category`, { name: 'x', description: v }), 400, 'INVALID', 'description',
                `category ${JSON.stringify(v)}`);
  }
  expectError(await post(`${TMF620}/productSpecification`, { name: 'card 5500-0000-0000-0004' }), 400, 'INVALID', 'name',
              'specification');
  expectError(await post(PROMO, { name: 'p', couponCodes: ['X4111111111111111'] }), 400, 'INVALID', 'couponCodes[0]',
              'promotion coupon');
  expectError(await post(`${ACCOUNTS}/billFormat`, { name: 'f', description: 'cc4111111111111111' }), 400, 'INVALID',
              'description', 'bill format');
  expectError(await post(`${ACCOUNTS}/billingCycleSpecification`, { name: 'c', note: '4111111111111111' }), 400,
              'INVALID', 'note', 'billing cycle specification');
  const key = await post('/admin/v1/keys', { name: 'key 4111111111111111', role: 'agent' });
  expectError(key, 400, 'INVALID', 'name', 'API key name');
  const hub = await post(`${TMF620}/hub`, { callback: 'http://127.0.0.1:9/cb/4111111111111111' });
  expectError(hub, 400, 'INVALID', 'callback', 'hub callback');
  const imported = await post('/admin/v1/catalog/import',
                              { format: 'bss-catalog/1', categories: [{ id: 'cat-pan', name: 'x', description: 'cc4111111111111111' }] });
  expectError(imported, 400, 'INVALID', 'categories[0].description', 'catalog import');
});

test('numbers that look like card numbers by design stay accepted in their own members', async () => {
  const ind = await post('/tmf-api/party/v4/individual', {
    givenName: 'Iris', familyName: 'Ledger',
    contactMedium: [{ mediumType: 'mobile', characteristic: { phoneNumber: '+31612345678' } }],
  });
  assert.equal(ind.status, 201, ind.text);
  const note = await post(`${TMF620}/category`, {
    name: 'SIMs', description: 'SIM 8931440301234567897, IMEI 356938035643809, created 1764630165074',
  });
  assert.equal(note.status, 201, note.text);
  const key = await post('/admin/v1/keys', { name: `agent-${1764630165074}`, role: 'agent' });
  assert.equal(key.status, 201, key.text);
});

test('money is exact or refused: a number the double cannot hold is 400 naming the member', async () => {
  const pop = (value) => `{"name":"p","priceType":"oneTime","price":{"unit":"EUR","value":${value}}}`;
  const cases = [
    ['999999999999.9999999', /price\.value: 999999999999\.9999999 has more than 15 significant digits/],
    ['1.0000000000000001', /more than 15 significant digits/],
    ['1e-400', /price\.value: 1e-400 is out of range/],
    ['0.1234567', /at most 6 decimal places/],
    ['1e-7', /at most 6 decimal places/],
  ];
  for (const [value, message] of cases) {
    const r = await post(`${TMF620}/productOfferingPrice`, pop(value));
    expectError(r, 400, 'INVALID', 'price.value', value);
    assert.match(r.json.message, message, value);
  }
  // the same rule holds for a real anywhere in any body, money or not
  const cat = await post(`${TMF620}/category`, '{"name":"c","x":{"weight":[1, 2.00000000000000001]}}');
  expectError(cat, 400, 'INVALID', 'x.weight[1]', 'a real in a free member');
  // and what a double holds exactly is kept to the micro
  for (const [value, want] of [['999999999999.999999', 999999999999.999999], ['0.000001', 0.000001], ['12.5e2', 1250]]) {
    const r = await post(`${TMF620}/productOfferingPrice`, pop(value));
    if (value.startsWith('999999999999')) {
      // 18 significant digits: refused as above, send it as a decimal string instead
      expectError(r, 400, 'INVALID', 'price.value', value);
      const s = await post(`${TMF620}/productOfferingPrice`, pop(`"${value}"`));
      assert.equal(s.status, 201, s.text);
      assert.match(s.text, /"value":"?999999999999\.999999"?/);
      continue;
    }
    assert.equal(r.status, 201, `${value}: ${r.text}`);
    assert.equal(r.json.price.value, want, value);
  }
});
