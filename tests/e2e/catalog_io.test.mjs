// catalog_io.test.mjs: the catalog file (docs/catalog.md). The demo catalog
// loads on `bss serve --demo`; export -> import into a fresh server -> export
// is byte-identical; importing the same file twice writes nothing and records
// no event; a dry run shows the diff and writes nothing; a bad document fails
// the whole import naming its kind, id and field; TMF620 importJob/exportJob;
// the `bss catalog` CLI; roles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, assertTmfError, bss, run, psql, sleep, tempDir } from './lib/server.mjs';

const BASE = '/tmf-api/productCatalogManagement/v4';
const START = '2026-06-01T10:00:00Z';
let demo; // the server seeded with data/demo/catalog.json
let fresh; // an empty server
let exported; // the demo server's export text

before(async () => {
  demo = await startServer({ args: ['--demo', '--test-clock-start', START], testClock: true });
  fresh = await startServer({ args: ['--test-clock-start', START], testClock: true });
});

const cli = (srv, args, opts) => bss(['catalog', ...args, '--url', srv.url, '--key', srv.key], opts);

async function outboxCount(srv) {
  if (srv.backend === 'postgres') return Number(await psql(srv.dbUrl, 'SELECT COUNT(*) FROM outbox'));
  const r = await run('sqlite3', [srv.dbUrl.replace(/^sqlite:/, ''), 'SELECT COUNT(*) FROM outbox'], { env: process.env });
  assert.equal(r.code, 0, r.stderr);
  return Number(r.stdout.trim());
}

async function importDoc(srv, doc, query = '') {
  return srv.request('POST', `/admin/v1/catalog/import${query}`, { body: doc });
}

test('the demo catalog is loaded by --demo and says which file', async () => {
  const r = await demo.request('GET', `${BASE}/productOffering?limit=100`);
  assert.equal(r.status, 200, r.text);
  const ids = r.json.map((o) => o.id);
  for (const id of ['po-prepaid-payg', 'po-prepaid-bundle-10', 'po-prepaid-bundle-20', 'po-postpaid-s', 'po-postpaid-m',
    'po-postpaid-l', 'po-family-share', 'po-addon-data-1gb', 'po-addon-international', 'po-addon-roaming-plus']) {
    assert.ok(ids.includes(id), `missing ${id} in ${ids}`);
  }
  const p = await demo.request('GET', '/tmf-api/promotionManagement/v4/promotion/promo-half-price-3m');
  assert.equal(p.status, 200, p.text);
  assert.match(demo.stderr(), /event=demo\.seed .*file=\S*data\/demo\/catalog\.json/);
});

test('export: stable, ids in order, server-managed members stripped; CLI prints the same', async () => {
  const r = await demo.request('GET', '/admin/v1/catalog/export');
  assert.equal(r.status, 200, r.text);
  exported = r.text;
  const doc = r.json;
  assert.equal(doc.format, 'bss-catalog/1');
  for (const k of ['catalogs', 'categories', 'productSpecifications', 'zoneTables', 'timeBandPlans',
    'productOfferingPrices', 'productOfferings', 'promotions']) {
    assert.ok(Array.isArray(doc[k]) && doc[k].length > 0, `${k} is empty`);
    const ids = doc[k].map((d) => d.id);
    assert.deepEqual(ids, [...ids].sort(), `${k} not ordered by id`);
    for (const d of doc[k]) {
      assert.equal(d.href, undefined, `${k} ${d.id} has href`);
      assert.equal(d.lastUpdate, undefined, `${k} ${d.id} has lastUpdate`);
    }
  }
  const again = await demo.request('GET', '/admin/v1/catalog/export');
  assert.equal(again.text, exported, 'two exports differ');
  const c = await cli(demo, ['export']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, exported);
});

test('export -> import into a fresh server -> export is byte-identical', async () => {
  const dir = tempDir('bss-cat-');
  const file = path.join(dir, 'catalog.json');
  fs.writeFileSync(file, exported);
  const c = await cli(fresh, ['import', file]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /created productOffering\s+po-postpaid-m/);
  assert.match(c.stdout, /imported: \d+ created, 0 updated, 0 unchanged/);
  const r = await fresh.request('GET', '/admin/v1/catalog/export');
  assert.equal(r.status, 200);
  assert.equal(r.text, exported, 'the re-exported catalog differs');
});

test('importing the same file twice changes nothing: no write, no event', async () => {
  const before = await outboxCount(fresh);
  const off = await fresh.request('GET', `${BASE}/productOffering/po-postpaid-m`);
  const r = await importDoc(fresh, JSON.parse(exported));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.created, []);
  assert.deepEqual(r.json.updated, []);
  assert.ok(r.json.unchanged > 60, r.text);
  assert.equal(r.json.dryRun, false);
  assert.equal(await outboxCount(fresh), before, 'an idempotent import recorded events');
  const off2 = await fresh.request('GET', `${BASE}/productOffering/po-postpaid-m`);
  assert.equal(off2.json.lastUpdate, off.json.lastUpdate);
  const c = await cli(fresh, ['import', '-'], { input: exported });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /imported: 0 created, 0 updated, \d+ unchanged/);
});

test('--dry-run shows the diff and writes nothing', async () => {
  const doc = JSON.parse(exported);
  doc.productOfferings.find((o) => o.id === 'po-postpaid-s').name = 'Postpaid Small';
  delete doc.productOfferings.find((o) => o.id === 'po-postpaid-l').description;
  doc.categories.push({ id: 'cat-business', name: 'Business', lifecycleStatus: 'Active' });
  const before = await outboxCount(fresh);
  const r = await importDoc(fresh, doc, '?dryRun=true');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dryRun, true);
  assert.deepEqual(r.json.created, [{ kind: 'category', id: 'cat-business' }]);
  assert.deepEqual(r.json.updated, [
    { kind: 'productOffering', id: 'po-postpaid-l', changes: ['description'] },
    { kind: 'productOffering', id: 'po-postpaid-s', changes: ['name'] },
  ]);
  assert.equal(await outboxCount(fresh), before);
  assert.equal((await fresh.request('GET', `${BASE}/category/cat-business`)).status, 404);
  assert.equal((await fresh.request('GET', `${BASE}/productOffering/po-postpaid-s`)).json.name, 'Postpaid S');

  const dir = tempDir('bss-cat-');
  const file = path.join(dir, 'changed.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const c = await cli(fresh, ['import', file, '--dry-run']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /would create category\s+cat-business/);
  assert.match(c.stdout, /would update productOffering\s+po-postpaid-s: name/);
  assert.match(c.stdout, /dry run \(nothing written\): 1 created, 2 updated/);

  const real = await importDoc(fresh, doc, '?dryRun=false');
  assert.equal(real.status, 200, real.text);
  assert.deepEqual(real.json.updated, r.json.updated);
  const l = await fresh.request('GET', `${BASE}/productOffering/po-postpaid-l`);
  assert.equal(l.json.description, undefined, 'a member missing from the file is removed');
  assert.equal((await fresh.request('GET', `${BASE}/productOffering/po-postpaid-s`)).json.name, 'Postpaid Small');
  assert.ok(await outboxCount(fresh) > before);
});

test('a bad document fails the whole import with its kind, id and path; nothing changes', async () => {
  const doc = JSON.parse(exported);
  doc.productOfferings.find((o) => o.id === 'po-postpaid-m').name = 'Postpaid Medium';
  const i = doc.productOfferings.findIndex((o) => o.id === 'po-family-share');
  doc.productOfferings[i].productOfferingPrice[1].id = 'pop-does-not-exist';
  const before = await outboxCount(demo);
  const r = await importDoc(demo, doc);
  assertTmfError(r, 400, assert);
  assert.equal(r.json.field, `productOfferings[${i}].productOfferingPrice[1].id`);
  assert.match(r.json.message, /^productOffering po-family-share: /);
  assert.equal((await demo.request('GET', `${BASE}/productOffering/po-postpaid-m`)).json.name, 'Postpaid M');
  assert.equal(await outboxCount(demo), before);

  const dir = tempDir('bss-cat-');
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const c = await cli(demo, ['import', file]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /400: productOffering po-family-share/);
  assert.match(c.stderr, /at productOfferings\[\d+\]\.productOfferingPrice\[1\]\.id/);
});

test('malformed files: format, unknown member, missing or repeated id, a rule of the kind (422)', async () => {
  const cases = [
    [{ catalogs: [] }, 400, 'format'],
    [{ format: 'bss-catalog/2' }, 400, 'format'],
    [{ format: 'bss-catalog/1', offerings: [] }, 400, 'offerings'],
    [{ format: 'bss-catalog/1', categories: {} }, 400, 'categories'],
    [{ format: 'bss-catalog/1', categories: [{ name: 'x' }] }, 400, 'categories[0].id'],
    [{ format: 'bss-catalog/1', categories: [{ id: 'a', name: 'x' }, { id: 'a', name: 'y' }] }, 400, 'categories[1].id'],
    [{ format: 'bss-catalog/1', timeBandPlans: [{ id: 'tb', name: 'gap', timeZone: 'Europe/Amsterdam',
      bands: [{ name: 'peak', days: ['mon'], from: '08:00', to: '20:00' }] }] }, 422, 'timeBandPlans[0].bands'],
  ];
  for (const [doc, status, field] of cases) {
    const r = await importDoc(fresh, doc);
    assertTmfError(r, status, assert, JSON.stringify(doc));
    assert.equal(r.json.field, field, r.text);
  }
  const bad = await fresh.request('POST', '/admin/v1/catalog/import?dryRun=maybe', { body: { format: 'bss-catalog/1' } });
  assertTmfError(bad, 400, assert);
  assert.equal(bad.json.field, 'dryRun');
});

test('importJob runs in the background: Running -> Succeeded with the report, or Failed with errorLog', async () => {
  const doc = JSON.parse(exported);
  doc.categories.push({ id: 'cat-job', name: 'From a job', lifecycleStatus: 'In design' });
  const r = await fresh.request('POST', `${BASE}/importJob`, { body: { content: doc } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json['@type'], 'ImportJob');
  assert.ok(['Running', 'Succeeded'].includes(r.json.status));
  assert.equal(r.json.content, undefined, 'the content is not stored in the job');
  let job;
  for (let i = 0; i < 100; i++) {
    job = (await fresh.request('GET', `${BASE}/importJob/${r.json.id}`)).json;
    if (job.status !== 'Running') break;
    await sleep(50);
  }
  assert.equal(job.status, 'Succeeded', JSON.stringify(job));
  assert.ok(job.completionDate);
  assert.deepEqual(job.report.created, [{ kind: 'category', id: 'cat-job' }]);

  doc.promotions[0].action.offeringIds.push('po-nope');
  const f = await fresh.request('POST', `${BASE}/importJob`, { body: { content: doc } });
  assert.equal(f.status, 201, f.text);
  for (let i = 0; i < 100; i++) {
    job = (await fresh.request('GET', `${BASE}/importJob/${f.json.id}`)).json;
    if (job.status !== 'Running') break;
    await sleep(50);
  }
  assert.equal(job.status, 'Failed', JSON.stringify(job));
  assert.equal(job.errorLog.field, 'promotions[0].action.offeringIds[3]');
  assert.match(job.errorLog.message, /promotion promo-half-price-3m/);

  const list = await fresh.request('GET', `${BASE}/importJob?status=Failed`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.map((j) => j.id), [f.json.id]);
  for (const body of [{}, { content: 'x' }, { content: {}, contentType: 'text/csv' }]) {
    const b = await fresh.request('POST', `${BASE}/importJob`, { body });
    assertTmfError(b, 400, assert, JSON.stringify(body));
  }
  const nf = await fresh.request('POST', `${BASE}/importJob`, { body: { content: { format: 'x' } } });
  assertTmfError(nf, 400, assert);
  assert.equal(nf.json.field, 'content.format');
});

test('exportJob succeeds at once and points at the export', async () => {
  const r = await demo.request('POST', `${BASE}/exportJob`, { body: {} });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'Succeeded');
  assert.equal(r.json.url, `${demo.url}/admin/v1/catalog/export`);
  const g = await demo.request('GET', `${BASE}/exportJob/${r.json.id}`);
  assert.deepEqual(g.json, r.json);
});

test('roles: readonly may export, only admin imports; no key is 401', async () => {
  const k = await demo.request('POST', '/admin/v1/keys', { body: { name: 'auditor', role: 'readonly' } });
  assert.equal(k.status, 201, k.text);
  const ro = k.json.key;
  assert.equal((await demo.request('GET', '/admin/v1/catalog/export', { key: ro })).status, 200);
  assert.equal((await demo.request('POST', '/admin/v1/catalog/import', { key: ro, body: { format: 'bss-catalog/1' } })).status, 403);
  assert.equal((await demo.request('POST', `${BASE}/importJob`, { key: ro, body: { content: {} } })).status, 403);
  assert.equal((await demo.request('GET', '/admin/v1/catalog/export', { key: null })).status, 401);
});

test('bss catalog: help documents every flag; bad usage exits 2; no server exits 1', async () => {
  const h = await bss(['help', 'catalog']);
  assert.equal(h.code, 0);
  for (const flag of ['export', 'import', '--dry-run', '--output', '--url', '--key']) assert.ok(h.stdout.includes(flag), flag);
  for (const args of [['catalog'], ['catalog', 'frobnicate'], ['catalog', 'import'], ['catalog', 'export', '--dry-run']]) {
    const r = await bss([...args, '--url', demo.url, '--key', demo.key]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const none = await bss(['catalog', 'export', '--url', 'http://127.0.0.1:9', '--key', 'x']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /cannot reach the server/);
  const missing = await cli(demo, ['import', '/nonexistent/catalog.json']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read/);
  const dir = tempDir('bss-cat-');
  const out = path.join(dir, 'out.json');
  const o = await cli(demo, ['export', '--output', out]);
  assert.equal(o.code, 0, o.stderr);
  assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).format, 'bss-catalog/1');
});

// ---- versions survive re-imports ----

// For every member whose change makes a new version: the document as a file first has it, then as it is changed.
const START_2026 = { startDateTime: '2026-01-01T00:00:00.000Z' };
const RECURRING = { priceType: 'recurring', price: { unit: 'EUR', value: 20 }, recurringChargePeriodType: 'month',
  recurringChargePeriodLength: 1, prorationPolicy: 'daily', taxCategory: 'standard' };
const USAGE = { priceType: 'usage', price: { unit: 'EUR', value: 0.01 }, unitOfMeasure: { amount: 1, units: 'MB' },
  usage: { service: 'data', increments: { first: 1024, next: 1024 } } };
const ALLOWANCE = { priceType: 'allowance', allowance: { service: 'data', amount: { amount: 1, units: 'GB' },
  validity: { days: 30 }, renewal: 'none', priority: 10 } };
const DISCOUNT = { priceType: 'discount', percentage: 50, applicationDuration: { cycles: 3 }, appliesTo: ['recurring'] };
const VERSIONED = [
  ['price', RECURRING, { price: { unit: 'EUR', value: 25 } }],
  ['taxCategory', RECURRING, { taxCategory: 'reduced' }],
  ['recurringChargePeriodType', RECURRING, { recurringChargePeriodType: 'week' }],
  ['recurringChargePeriodLength', RECURRING, { recurringChargePeriodLength: 2 }],
  ['prorationPolicy', RECURRING, { prorationPolicy: 'none' }],
  ['priceType', RECURRING, { priceType: 'oneTime', recurringChargePeriodType: undefined,
    recurringChargePeriodLength: undefined, prorationPolicy: undefined }],
  ['unitOfMeasure', USAGE, { unitOfMeasure: { amount: 1, units: 'GB' } }],
  ['usage', USAGE, { usage: { service: 'data', increments: { first: 1, next: 1 } } }],
  ['allowance', ALLOWANCE, { allowance: { ...ALLOWANCE.allowance, amount: { amount: 2, units: 'GB' } } }],
  ['percentage', DISCOUNT, { percentage: 40 }],
  ['applicationDuration', DISCOUNT, { applicationDuration: { cycles: 6 } }],
  ['appliesTo', DISCOUNT, { appliesTo: ['recurring', 'usage'] }],
];

function versionFiles() {
  const v1 = [], v2 = [];
  for (const [member, base, change] of VERSIONED) {
    const doc = { id: `pop-vh-${member}`, name: `versioned ${member}`, lifecycleStatus: 'Active', validFor: START_2026, ...base };
    v1.push(doc);
    v2.push(JSON.parse(JSON.stringify({ ...doc, ...change })));
  }
  const offering = (prices) => ({ id: 'po-vh', name: 'versioned offering', lifecycleStatus: 'Active', validFor: START_2026,
    isBundle: false, isSellable: true, productSpecification: { id: 'ps-vh' }, productOfferingPrice: prices.map((id) => ({ id })) });
  const spec = { id: 'ps-vh', name: 'versioned spec', lifecycleStatus: 'Active' };
  return [
    { format: 'bss-catalog/1', productSpecifications: [spec], productOfferingPrices: v1, productOfferings: [offering(['pop-vh-price'])] },
    { format: 'bss-catalog/1', productSpecifications: [spec], productOfferingPrices: v2,
      productOfferings: [offering(['pop-vh-price', 'pop-vh-taxCategory'])] },
  ];
}

test('re-importing a file never rewrites history: no write, asOf answers unchanged, for every versioned member', async () => {
  const srv = await startServer({ args: ['--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true });
  try {
    const setClock = async (now) => assert.equal((await srv.request('PUT', '/admin/v1/clock', { body: { now } })).status, 200);
    const [file1, file2] = versionFiles();
    const ids = [['productSpecification', 'ps-vh'], ...file1.productOfferingPrices.map((p) => ['productOfferingPrice', p.id]), ['productOffering', 'po-vh']];
    const r1 = await importDoc(srv, file1);
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.json.created.length, ids.length, r1.text);
    await setClock('2026-06-02T10:00:00Z');
    const r2 = await importDoc(srv, file2);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.updated.length, ids.length - 1, `every price and the offering get a version 2: ${r2.text}`);
    const asOf = async () => {
      const out = {};
      for (const [kind, id] of ids) {
        for (const t of ['2026-06-01T12:00:00Z', '2026-06-02T12:00:00Z']) {
          const g = await srv.request('GET', `${BASE}/${kind}/${id}?asOf=${t}`);
          assert.equal(g.status, 200, `${id} as of ${t}: ${g.text}`);
          out[`${id}@${t}`] = g.json;
        }
      }
      return out;
    };
    const answers = await asOf();
    for (const [member] of VERSIONED) {
      const id = `pop-vh-${member}`;
      assert.equal(answers[`${id}@2026-06-01T12:00:00Z`].version, '1', id);
      assert.equal(answers[`${id}@2026-06-02T12:00:00Z`].version, '2', id);
      assert.notDeepEqual(answers[`${id}@2026-06-01T12:00:00Z`][member], answers[`${id}@2026-06-02T12:00:00Z`][member], id);
    }
    assert.equal(answers['po-vh@2026-06-01T12:00:00Z'].productOfferingPrice.length, 1);
    assert.equal(answers['po-vh@2026-06-02T12:00:00Z'].productOfferingPrice.length, 2);
    await setClock('2026-06-03T10:00:00Z');
    const outboxBefore = await outboxCount(srv);
    for (const file of [file2, file2]) {
      const again = await importDoc(srv, file);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged], [[], [], ids.length], again.text);
    }
    assert.deepEqual(await asOf(), answers, 'asOf answers changed across re-imports');
    const e1 = await srv.request('GET', '/admin/v1/catalog/export');
    const back = await importDoc(srv, e1.json);
    assert.deepEqual([back.json.created, back.json.updated], [[], []], back.text);
    await importDoc(srv, e1.json);
    const e2 = await srv.request('GET', '/admin/v1/catalog/export');
    assert.equal(e2.text, e1.text, 'export -> import -> import -> export differs');
    assert.deepEqual(await asOf(), answers);
    assert.equal(await outboxCount(srv), outboxBefore, 're-imports recorded events');
  } finally {
    await srv.stop();
  }
});

test('the start of a version with history cannot be moved or removed; a later start with a price change is a new version', async () => {
  const srv = await startServer({ args: ['--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true });
  try {
    const P = `${BASE}/productOfferingPrice/pop-vh-price`;
    const [file1, file2] = versionFiles();
    assert.equal((await importDoc(srv, { ...file1, productOfferings: [] })).status, 200);
    assert.equal((await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-02T10:00:00Z' } })).status, 200);
    assert.equal((await importDoc(srv, { ...file2, productOfferings: [] })).status, 200);
    const v2 = (await srv.request('GET', P)).json;
    assert.equal(v2.version, '2');
    assert.equal(v2.validFor.startDateTime, '2026-06-02T10:00:00.000Z');
    const moved = await srv.request('PATCH', P, { body: { validFor: { startDateTime: '2026-05-01T00:00:00Z' } } });
    assertTmfError(moved, 422, assert);
    assert.equal(moved.json.message, 'version 2 of this productOfferingPrice began at 2026-06-02T10:00:00.000Z, where version 1 ends: that start is history and cannot be moved (change a priced member to make a new version)');
    const removed = await srv.request('PATCH', P, { body: { validFor: null } });
    assertTmfError(removed, 422, assert);
    assert.match(removed.json.message, /cannot be removed/);
    // a file with a later start and a new price makes version 3 from that date
    const later = JSON.parse(JSON.stringify(file2.productOfferingPrices[0]));
    later.price.value = 30;
    later.validFor = { startDateTime: '2026-07-01T00:00:00.000Z' };
    const r = await importDoc(srv, { format: 'bss-catalog/1', productOfferingPrices: [later] });
    assert.equal(r.status, 200, r.text);
    const v3 = (await srv.request('GET', P)).json;
    assert.deepEqual([v3.version, v3.validFor.startDateTime, v3.price.value], ['3', '2026-07-01T00:00:00.000Z', 30]);
    const mid = (await srv.request('GET', `${P}?asOf=2026-06-15T00:00:00Z`)).json;
    assert.deepEqual([mid.version, mid.price.value], ['2', 25]);
  } finally {
    await srv.stop();
  }
});
