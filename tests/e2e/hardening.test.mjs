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

test('server-managed members are ignored the same way on POST and PATCH, for every resource', async () => {
  const ind = await post('/tmf-api/party/v4/individual', { givenName: 'Sam', familyName: 'Server' });
  const cust = await post('/tmf-api/customerManagement/v4/customer', { name: 'Sam Server', engagedParty: { id: ind.json.id } });
  assert.equal(cust.status, 201, cust.text);
  const TT = '/tmf-api/troubleTicket/v4/troubleTicket';
  const body = { description: 'no data', ticketType: 'complaint', severity: 'major',
                 relatedParty: [{ id: cust.json.id, '@referredType': 'Customer', role: 'customer' }],
                 resolutionDate: '2020-01-01T00:00:00Z', creationDate: '2020-01-01T00:00:00Z',
                 statusChange: [{ status: 'resolved' }], expectedResolutionDate: '2020-01-02T00:00:00Z' };
  const t = await post(TT, body);
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.resolutionDate, undefined, 'POST ignores resolutionDate');
  assert.notEqual(t.json.creationDate, '2020-01-01T00:00:00Z');
  assert.notEqual(t.json.expectedResolutionDate, '2020-01-02T00:00:00Z');
  assert.equal(t.json.statusChange.length, 1);
  const p = await srv.request('PATCH', `${TT}/${t.json.id}`, { body: { resolutionDate: '2020-01-01T00:00:00Z', creationDate: '2021-01-01T00:00:00Z' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.resolutionDate, undefined, 'PATCH ignores resolutionDate as POST does');
  assert.equal(p.json.creationDate, t.json.creationDate);
  // an account's balance is the server's: "abc", true, 1e308 or another currency are never stored
  const acc = await post(`${ACCOUNTS}/billingAccount`, {
    name: 'B', currency: 'EUR', relatedParty: [{ id: ind.json.id, '@referredType': 'Individual', role: 'owner' }],
    balance: { unit: 'USD', value: 5 } });
  assert.equal(acc.status, 201, acc.text);
  assert.equal(acc.json.balance, undefined);
  expectError(await srv.request('PATCH', `${ACCOUNTS}/billingAccount/${acc.json.id}`, { body: { balance: 1e308 } }), 400,
              'INVALID', 'balance', 'a number no double holds is refused before anything');
  for (const balance of ['abc', true, 1e300, { unit: 'USD', value: -1 }]) {
    const r = await srv.request('PATCH', `${ACCOUNTS}/billingAccount/${acc.json.id}`, { body: { balance } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.balance, undefined, JSON.stringify(balance));
  }
});

test('@type must not contradict the resource', async () => {
  const IND = '/tmf-api/party/v4/individual';
  const bad = await post(IND, { givenName: 'T', familyName: 'Type', '@type': 'Organization' });
  expectError(bad, 400, 'INVALID', '@type', 'Organization on an individual');
  assert.equal(bad.json.message, `@type 'Organization' does not match this resource (Individual); an extension type must also say "@baseType": "Individual"`);
  expectError(await post(IND, { givenName: 'T', familyName: 'Type', '@type': 5 }), 400, 'INVALID', '@type', '5');
  const nul = await post(IND, { givenName: 'T', familyName: 'Type', '@type': null });
  assert.equal(nul.status, 201, nul.text);
  assert.equal(nul.json['@type'], 'Individual');
  const ext = await post(IND, { givenName: 'T', familyName: 'Type', '@type': 'VipIndividual', '@baseType': 'Individual' });
  assert.equal(ext.status, 201, ext.text);
  expectError(await srv.request('PATCH', `${IND}/${nul.json.id}`, { body: { '@type': 'Organization' } }), 400, 'INVALID',
              '@type', 'PATCH to another type');
});

test('ids outside the safe alphabet are refused on import, never turned into broken hrefs', async () => {
  for (const id of ['cat?x', 'cat x', 'cat/x', 'cat#x', '..', 'c%41t']) {
    const r = await post('/admin/v1/catalog/import', { format: 'bss-catalog/1', categories: [{ id, name: 'x' }] });
    expectError(r, 400, 'INVALID', 'categories[0].id', JSON.stringify(id));
  }
  const ok = await post('/admin/v1/catalog/import', { format: 'bss-catalog/1', categories: [{ id: 'Cat_2026.v1~x-y', name: 'x' }] });
  assert.equal(ok.status, 200, ok.text);
  const got = await srv.request('GET', `${TMF620}/category/Cat_2026.v1~x-y`);
  assert.equal(got.status, 200, got.text);
  assert.ok(got.json.href.endsWith('/category/Cat_2026.v1~x-y'), got.json.href);
});

test('documents are bounded: a long string, a long array, a big document', async () => {
  const long = 'x'.repeat(16385);
  const r = await post(`${TMF620}/category`, { name: 'c', note: [{ text: 'ok' }, { text: long }] });
  expectError(r, 400, 'INVALID', 'note[1].text', 'a 16 KiB + 1 string');
  assert.equal(r.json.message, 'note[1].text is longer than 16384 bytes');
  const arr = await post(`${TMF620}/category`, { name: 'c', tags: Array.from({ length: 1001 }, (_, i) => i) });
  expectError(arr, 400, 'INVALID', 'tags', '1001 elements');
  const big = {};
  for (let i = 0; i < 20; i++) big[`m${i}`] = 'y'.repeat(16000);
  const b = await post(`${TMF620}/category`, { name: 'c', ...big });
  expectError(b, 413, 'TOO_BIG', undefined, '320 KB document');
  assert.match(b.json.message, /over the limit of 262144/);
});

test('a document something still names cannot be deleted: 409 naming the referrers, for every reference kind', async () => {
  const cat = (await post(`${TMF620}/category`, { name: 'Parent' })).json;
  const child = (await post(`${TMF620}/category`, { name: 'Child', parentId: cat.id })).json;
  const catalog = (await post(`${TMF620}/catalog`, { name: 'K', category: [{ id: cat.id }] })).json;
  const spec = (await post(`${TMF620}/productSpecification`, { name: 'S' })).json;
  const off = await post(`${TMF620}/productOffering`, { name: 'O', productSpecification: { id: spec.id }, category: [{ id: cat.id }] });
  assert.equal(off.status, 201, off.text);
  let r = await srv.request('DELETE', `${TMF620}/category/${cat.id}`);
  expectError(r, 409, 'CONFLICT', 'id', 'a category named by a child, a catalog and an offering');
  assert.match(r.json.message, new RegExp(`^category ${cat.id} is still named by `));
  for (const who of [`catalog ${catalog.id} \\(category\\)`, `category ${child.id} \\(parentId\\)`, `productOffering ${off.json.id} \\(category\\)`]) {
    assert.match(r.json.message, new RegExp(who), r.json.message);
  }
  const promo = await post(PROMO, { name: 'P', action: { type: 'discount', percentage: 10, offeringIds: [off.json.id] } });
  assert.equal(promo.status, 201, promo.text);
  r = await srv.request('DELETE', `${TMF620}/productOffering/${off.json.id}`);
  expectError(r, 409, 'CONFLICT', 'id', 'an offering named by a promotion');
  assert.match(r.json.message, new RegExp(`promotion ${promo.json.id} \\(action\\.offeringIds\\)`));
  expectError(await srv.request('DELETE', `${TMF620}/productSpecification/${spec.id}`), 409, 'CONFLICT', 'id', 'a spec named by an offering');
  // the promotion still patches: nothing it names went away
  assert.equal((await srv.request('PATCH', `${PROMO}/${promo.json.id}`, { body: { description: 'still fine' } })).status, 200);
  // unlink, then each delete goes through
  assert.equal((await srv.request('DELETE', `${PROMO}/${promo.json.id}`)).status, 204);
  assert.equal((await srv.request('DELETE', `${TMF620}/productOffering/${off.json.id}`)).status, 204);
  assert.equal((await srv.request('DELETE', `${TMF620}/productSpecification/${spec.id}`)).status, 204);
  assert.equal((await srv.request('PATCH', `${TMF620}/catalog/${catalog.id}`, { body: { category: [] } })).status, 200);
  assert.equal((await srv.request('DELETE', `${TMF620}/category/${child.id}`)).status, 204);
  assert.equal((await srv.request('DELETE', `${TMF620}/category/${cat.id}`)).status, 204);
});

test('a party export shows who read the data by action and time; staff key names only to admins', async () => {
  const IND = '/tmf-api/party/v4/individual';
  const p = (await post(IND, { givenName: 'Exa', familyName: 'Port' })).json;
  const agent = (await post('/admin/v1/keys', { name: 'Alice at the care desk', role: 'agent' })).json.key;
  assert.equal((await srv.request('GET', `${IND}/${p.id}`, { key: agent })).status, 200);
  let byAgent; // the audit row of the read is queued, not waited for
  for (let i = 0; i < 100; i++) {
    byAgent = await srv.request('GET', `${IND}/${p.id}/export`, { key: agent });
    assert.equal(byAgent.status, 200, byAgent.text);
    if (byAgent.json.accessAudit.length >= 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(byAgent.json.accessAudit.length >= 1, byAgent.text);
  assert.ok(!byAgent.text.includes('Alice at the care desk'), 'an agent does not see staff key names');
  for (const row of byAgent.json.accessAudit) {
    assert.equal(row.keyName, undefined);
    assert.ok(row.action && row.at, JSON.stringify(row));
  }
  const byAdmin = await srv.request('GET', `${IND}/${p.id}/export`);
  assert.ok(byAdmin.json.accessAudit.some((row) => row.keyName === 'Alice at the care desk'), byAdmin.text);
});
