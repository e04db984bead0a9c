// demo.test.mjs: `bss serve --demo` (src/cli/demo.c) seeds the Dutch demo
// MVNO into an empty store: the catalog (data/demo/catalog.json) and at
// least 50 customers (data/demo/customers.json, written by
// data/demo/gen-customers.mjs) through the same rules as the API. Checks
// the counts against the file, the corporate hierarchy (a parent
// organization with two subsidiaries; the group billing account pays for
// theirs), consents granted and withdrawn, interactions, tickets in several
// statuses, the customer view of a seeded customer, an accented name found
// by its unaccented prefix, and that a second start on the same store seeds
// nothing new; a bad demo file stops the start, naming the document.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, repoRoot, bssBin, run, childEnv, tempDir, freePort } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const BILLING = '/tmf-api/accountManagement/v4/billingAccount';
const PI = '/tmf-api/partyInteraction/v4/partyInteraction';
const TT = '/tmf-api/troubleTicket/v4/troubleTicket';
const OFFERING = '/tmf-api/productCatalogManagement/v4/productOffering';

const file = JSON.parse(fs.readFileSync(path.join(repoRoot, 'data', 'demo', 'customers.json'), 'utf8'));
let srv;

before(async () => {
  srv = await startServer({ args: ['--demo'] });
});

async function get(p) {
  const r = await srv.request('GET', p);
  assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
  return r;
}
const total = async (p) => Number((await get(`${p}${p.includes('?') ? '&' : '?'}limit=1`)).headers['x-total-count']);

test('the file is what the generator writes: at least 50 customers, consumer and business', () => {
  assert.equal(file.format, 'bss-demo-customers/1');
  assert.ok(file.customers.length >= 50, `${file.customers.length} customers`);
  const types = file.customers.map((c) => c.engagedParty['@referredType']);
  assert.ok(types.filter((t) => t === 'Individual').length >= 35);
  assert.ok(types.filter((t) => t === 'Organization').length >= 10);
  const segments = new Set(file.customers.map((c) => c.segment));
  for (const s of ['consumer', 'business', 'vip', 'iot']) assert.ok(segments.has(s), s);
  assert.equal(file.billingAccounts.length, file.customers.length);
  const days = new Set(file.billingAccounts.map((a) => a.billCycleDay));
  assert.equal(days.size, 28); // spread over 1..28
});

test('catalog, inventory, customers and their lines are seeded, with the counts of the file, and logged', async () => {
  assert.ok(await total(OFFERING) > 0);
  assert.equal(await total(CUSTOMER), file.customers.length);
  assert.equal(await total(`${PARTY}/individual`), file.individuals.length);
  assert.equal(await total(`${PARTY}/organization`), file.organizations.length);
  assert.equal(await total(BILLING), file.billingAccounts.length);
  assert.equal(await total(TT), file.troubleTickets.length);
  // interactions: the file's, plus the system log of the seeded events
  const calls = (await get(`${PI}?limit=1000`)).json.filter((i) => i.channel[0].name !== 'system');
  assert.equal(calls.length, file.interactions.length);
  const log = srv.stderr();
  assert.match(log, /event=demo\.seed message="demo: catalog imported"/);
  assert.match(log, new RegExp(`event=demo\\.seed message="demo: customers seeded" file=\\S*data/demo/customers\\.json ` +
    `individuals=${file.individuals.length} organizations=${file.organizations.length} customers=${file.customers.length} ` +
    `billingAccounts=${file.billingAccounts.length} interactions=${file.interactions.length} ` +
    `troubleTickets=${file.troubleTickets.length} products=${file.products.length} consents=${file.consents.length} ` +
    `updates=${file.updates.length}`));
  assert.match(log, /event=demo\.seed message="demo: inventory seeded" file=\S*data\/demo\/sims\.csv sims=60 numbers=2050/);
  assert.equal(await total('/tmf-api/productInventory/v4/product'), file.products.length);
  // every live line's number and SIM are in service for it in the inventory
  for (const p of file.products.filter((x) => x.productCharacteristic)) {
    const msisdn = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
    const r = (await get(`/tmf-api/resourceInventoryManagement/v4/resource/${msisdn}`)).json;
    assert.equal(r.resourceStatus, 'active', msisdn);
    assert.equal(r.product.id, p.id);
  }
  // account numbers were assigned by the server, one each
  const accounts = (await get(`${BILLING}?limit=100`)).json;
  assert.equal(new Set(accounts.map((a) => a.accountNumber)).size, accounts.length);
  assert.ok(accounts.every((a) => /^BA-\d{6}$/.test(a.accountNumber) && a.currency === 'EUR'));
});

test('the corporate hierarchy resolves: two subsidiaries, their accounts paid by the group account', async () => {
  const parent = file.organizations.find((o) => o.name === 'Delta Logistiek Groep B.V.');
  const kids = (await get(`${PARTY}/organization?organizationParentRelationship.organization.id=${parent.id}`)).json;
  assert.deepEqual(kids.map((o) => o.tradingName).sort(), ['Delta Transport', 'Delta Warehousing']);
  const stored = (await get(`${PARTY}/organization/${parent.id}`)).json;
  assert.deepEqual(stored.organizationChildRelationship.map((c) => c.organization.id).sort(), kids.map((o) => o.id).sort());
  const groupCustomer = (await get(`${CUSTOMER}?engagedParty.id=${parent.id}`)).json;
  assert.equal(groupCustomer.length, 1);
  const groupAccount = (await get(`${BILLING}?customer.id=${groupCustomer[0].id}`)).json;
  assert.equal(groupAccount.length, 1);
  const paid = (await get(`${BILLING}?parentAccount.id=${groupAccount[0].id}`)).json;
  assert.equal(paid.length, 2);
  for (const a of paid) {
    assert.ok(kids.some((o) => o.id === a.relatedParty.find((p) => p.role === 'owner').id), JSON.stringify(a));
    assert.equal(a.currency, groupAccount[0].currency);
  }
});

test('consent, lifecycle and tickets as the file says', async () => {
  // the first consumer granted marketing by SMS, then replied STOP
  const sjoerd = file.individuals.find((p) => p.givenName === 'Sjoerd');
  const cur = (await get(`${PARTY}/individual/${sjoerd.id}/consent`)).json;
  assert.equal(cur.find((c) => c.purpose === 'marketing' && c.channel === 'sms').granted, false);
  const hist = (await get(`${PARTY}/individual/${sjoerd.id}/consent?history=true`)).json
    .filter((c) => c.purpose === 'marketing' && c.channel === 'sms');
  assert.deepEqual(hist.map((c) => c.granted), [true, false]);
  assert.equal(hist[1].source, 'channel');
  assert.equal(hist[1].recordedBy, 'demo data');
  const statuses = (await get(`${CUSTOMER}?limit=100`)).json.map((c) => c.status);
  for (const s of ['prospect', 'active', 'suspended', 'closed']) assert.ok(statuses.includes(s), s);
  const tickets = (await get(`${TT}?limit=100`)).json;
  const tstat = new Set(tickets.map((t) => t.status));
  for (const s of ['acknowledged', 'inProgress', 'pending', 'resolved', 'closed']) assert.ok(tstat.has(s), s);
  const closed = tickets.find((t) => t.status === 'closed');
  assert.deepEqual(closed.statusChange.map((s) => s.status), ['acknowledged', 'inProgress', 'resolved', 'closed']);
});

test('an agent finds Zoë by "zoe" and opens her view', async () => {
  const zoe = file.individuals.find((p) => p.givenName === 'Zoë');
  const cust = file.customers.find((c) => c.engagedParty.id === zoe.id);
  const r = await get('/api/v1/search?q=zoe');
  const hit = r.json.find((h) => h.kind === 'individual' && h.id === zoe.id);
  const { matches, ...row } = hit;
  assert.deepEqual(row, { customerId: cust.id, kind: 'individual', id: zoe.id, display: 'Zoë Bakker', matched: 'zoe' });
  assert.ok(matches.some((m) => m.kind === 'customer' && m.id === cust.id), JSON.stringify(hit));
  assert.equal(r.json.filter((h) => h.customerId === cust.id).length, 1, 'one row per person');
  const mobile = zoe.contactMedium.find((m) => m.mediumType === 'mobile').characteristic.phoneNumber;
  const byPhone = (await get(`/api/v1/search?q=${encodeURIComponent('00' + mobile.slice(1))}`)).json;
  assert.equal(byPhone[0].customerId, cust.id);
  const v = (await get(`/api/v1/customers/${cust.id}/view`)).json;
  assert.equal(v.customer.name, 'Zoë Bakker');
  assert.equal(v.party.id, zoe.id);
  assert.equal(v.accounts.length, 1);
  assert.ok(v.lastInteractions.some((i) => i.reason === 'roaming activation'), JSON.stringify(v.lastInteractions));
});

test('a second start on the same store seeds nothing new', async () => {
  const counts = async () => Promise.all([CUSTOMER, `${PARTY}/individual`, `${PARTY}/organization`, BILLING, TT, PI, OFFERING]
    .map((p) => total(p)));
  const first = await counts();
  srv.keepDataDir = true;
  srv.keepDatabase = true;
  await srv.stop();
  srv = await startServer({ args: ['--demo'], dataDir: srv.dataDir, pgDatabase: srv.pg || undefined });
  assert.deepEqual(await counts(), first);
  const log = srv.stderr(); // the stderr file is appended to: only the second start's lines count
  const second = log.slice(log.lastIndexOf('event=demo.seed message="demo: the store already holds a catalog'));
  assert.match(second, new RegExp(`demo: the store already holds customers; left alone" customers=${file.customers.length}`));
  assert.doesNotMatch(second, /customers seeded/);
});

test('a bad demo file stops the start with the member path of the bad document', async () => {
  // a copy of the binary in <tmp>/build/ finds <tmp>/data/demo/customers.json (and no catalog: a warning)
  const root = tempDir('bss-demo-bad-');
  fs.mkdirSync(path.join(root, 'build'));
  fs.mkdirSync(path.join(root, 'data', 'demo'), { recursive: true });
  const bin = path.join(root, 'build', 'bss');
  fs.copyFileSync(bssBin, bin);
  fs.chmodSync(bin, 0o755);
  const bad = { format: 'bss-demo-customers/1', individuals: [
    { id: '019b8d2b-0000-7000-8000-000000000001', givenName: 'Ann', familyName: 'Lee' },
    { id: '019b8d2b-0000-7000-8000-000000000002', givenName: 'Bob', familyName: 'Lee',
      contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'bob@' } }] }] };
  fs.writeFileSync(path.join(root, 'data', 'demo', 'customers.json'), JSON.stringify(bad));
  const dataDir = path.join(root, 'var');
  fs.mkdirSync(dataDir);
  const r = await run(bin, ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${await freePort()}`],
    { env: childEnv(), cwd: root });
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /no data\/demo\/catalog\.json found/);
  assert.match(r.stderr, /event=demo\.seed .*field=individuals\[1\]\.contactMedium\[0\]\.characteristic\.emailAddress/, r.stderr);
  assert.match(r.stderr, /individual 019b8d2b-0000-7000-8000-000000000002: /);
  // one transaction: the good first document was not kept either
  const q = await run('sqlite3', [path.join(dataDir, 'bss.db'), 'SELECT COUNT(*) FROM tmf632_individual'], { env: process.env });
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout.trim(), '0');
  fs.rmSync(root, { recursive: true, force: true });
});
