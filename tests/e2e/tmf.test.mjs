// tmf.test.mjs: the TMF v4 conventions on the first resource, TMF620 category:
// POST 201 + Location, GET by id, list with offset/limit/fields/filters and
// X-Total-Count/X-Result-Count, PATCH as JSON merge patch, DELETE 204, unknown
// fields kept, lifecycle transitions.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, sleep, CATEGORY } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });

async function create(body) {
  const r = await srv.request('POST', CATEGORY, { body });
  assert.equal(r.status, 201, r.text);
  return r;
}

async function list(query) {
  const r = await srv.request('GET', `${CATEGORY}${query ? '?' + query : ''}`);
  assert.equal(r.status, 200, `${query}: ${r.text}`);
  assert.ok(Array.isArray(r.json), `list is not an array: ${r.text}`);
  return r;
}

test('POST creates: 201, Location, id, href, @type, lastUpdate, unknown fields kept', async () => {
  const body = {
    name: 'Mobile plans', description: 'all mobile plans', '@type': 'Category', version: '1.0',
    validFor: { startDateTime: '2026-01-01T00:00:00Z' },
    xNotes: { colour: 'blue', tags: ['a', 'b'], n: 3.25 }, 'x-empty': {},
  };
  const r = await create(body);
  const c = r.json;
  assert.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `id is not a UUIDv7: ${c.id}`);
  assert.equal(c.href, `${srv.url}${CATEGORY}/${c.id}`);
  assert.ok(r.headers.location, 'no Location header');
  assert.ok(r.headers.location === c.href || r.headers.location === `${CATEGORY}/${c.id}`, `Location: ${r.headers.location}`);
  assert.equal(c.name, body.name);
  assert.equal(c.description, body.description);
  assert.equal(c['@type'], 'Category');
  assert.deepEqual(c.xNotes, body.xNotes);
  assert.deepEqual(c['x-empty'], {});
  assert.ok(!Number.isNaN(Date.parse(c.lastUpdate)), `lastUpdate: ${c.lastUpdate}`);
  assert.ok(Math.abs(Date.parse(c.lastUpdate) - Date.now()) < 60000, `lastUpdate far from now: ${c.lastUpdate}`);

  const g = await srv.request('GET', `${CATEGORY}/${c.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json, c, 'GET returns what POST returned');
});

test('POST ignores a client-chosen id and href', async () => {
  const r = await create({ name: 'sneaky', id: 'my-own-id', href: 'http://evil/' });
  assert.notEqual(r.json.id, 'my-own-id');
  assert.equal(r.json.href, `${srv.url}${CATEGORY}/${r.json.id}`);
});

test('a category needs a name', async () => {
  assertTmfError(await srv.request('POST', CATEGORY, { body: { description: 'no name' } }), 400, assert);
});

test('GET of an unknown id is 404 with a TMF error body', async () => {
  assertTmfError(await srv.request('GET', `${CATEGORY}/0190a8f2-0000-7000-8000-000000000000`), 404, assert);
  assertTmfError(await srv.request('GET', `${CATEGORY}/not-an-id`), 404, assert);
});

test('list: X-Total-Count, X-Result-Count, limit and offset', async () => {
  for (let i = 0; i < 5; i++) await create({ name: `page-${i}` });
  const all = await list('');
  const total = Number(all.headers['x-total-count']);
  assert.ok(total >= 5, `X-Total-Count: ${all.headers['x-total-count']}`);
  assert.equal(Number(all.headers['x-result-count']), all.json.length);
  assert.equal(all.json.length, total, 'an unlimited list (below the default limit) returns everything');
  const ids = all.json.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids in the list');

  const page = await list('limit=2');
  assert.equal(page.json.length, 2);
  assert.equal(page.headers['x-result-count'], '2');
  assert.equal(Number(page.headers['x-total-count']), total);
  assert.deepEqual(page.json.map((c) => c.id), ids.slice(0, 2));

  const page2 = await list('offset=2&limit=2');
  assert.deepEqual(page2.json.map((c) => c.id), ids.slice(2, 4));
  assert.equal(Number(page2.headers['x-total-count']), total);

  const beyond = await list(`offset=${total + 10}`);
  assert.equal(beyond.json.length, 0);
  assert.equal(beyond.headers['x-result-count'], '0');
  assert.equal(Number(beyond.headers['x-total-count']), total);
});

test('fields= projects each item and always keeps id and href', async () => {
  await create({ name: 'projected', description: 'hidden', xExtra: 1 });
  for (const q of ['fields=name', 'fields=name,description', 'fields=id', 'fields=xExtra']) {
    const r = await list(q);
    const wanted = new Set(['id', 'href', ...q.slice(7).split(',')]);
    for (const item of r.json) {
      assert.ok(item.id && item.href, `${q}: id/href missing in ${JSON.stringify(item)}`);
      for (const k of Object.keys(item)) {
        assert.ok(wanted.has(k) || k.startsWith('@'), `${q}: unexpected field ${k} in ${JSON.stringify(item)}`);
      }
    }
    if (q === 'fields=name') assert.ok(r.json.some((i) => i.name === 'projected'));
  }
});

test('fields= on GET by id projects too (TMF630 attribute selection)', async () => {
  const c = (await create({ name: 'projected by id', description: 'hidden', xExtra: 1 })).json;
  const g = await srv.request('GET', `${CATEGORY}/${c.id}?fields=description`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.description, 'hidden');
  assert.equal(g.json.id, c.id);
  assert.ok(g.json.href);
  assert.equal(g.json.name, undefined, 'GET by id with fields= projects too');
});

test('attribute filters: equality, URL-decoding, dotted paths', async () => {
  const a = (await create({ name: 'Filter me & you', xGroup: { colour: 'red' } })).json;
  const b = (await create({ name: 'filter-other', xGroup: { colour: 'green' } })).json;

  const byName = await list(`name=${encodeURIComponent('Filter me & you')}`);
  assert.deepEqual(byName.json.map((c) => c.id), [a.id]);
  assert.equal(byName.headers['x-total-count'], '1');
  assert.equal(byName.headers['x-result-count'], '1');

  const plus = await list('name=Filter+me+%26+you');
  assert.deepEqual(plus.json.map((c) => c.id), [a.id], "'+' decodes to a space");

  const dotted = await list('xGroup.colour=green');
  assert.deepEqual(dotted.json.map((c) => c.id), [b.id]);

  const none = await list('name=nobody-has-this-name');
  assert.equal(none.json.length, 0);
  assert.equal(none.headers['x-total-count'], '0');

  const combined = await list(`name=filter-other&xGroup.colour=red`);
  assert.equal(combined.json.length, 0, 'several filters are ANDed');
});

test('date filters: .gt/.gte/.lt/.lte on lastUpdate and validFor.startDateTime', async () => {
  const jan = (await create({ name: 'dates-jan', validFor: { startDateTime: '2026-01-15T00:00:00Z' } })).json;
  await sleep(30);
  const jun = (await create({ name: 'dates-jun', validFor: { startDateTime: '2026-06-15T00:00:00Z' } })).json;
  const ids = (r) => r.json.map((c) => c.id);

  const gt = await list('validFor.startDateTime.gt=2026-03-01T00:00:00Z');
  assert.ok(ids(gt).includes(jun.id) && !ids(gt).includes(jan.id), `gt: ${gt.text}`);
  const lt = await list('validFor.startDateTime.lt=2026-03-01T00:00:00Z');
  assert.ok(ids(lt).includes(jan.id) && !ids(lt).includes(jun.id), `lt: ${lt.text}`);
  // an offset in the filter value is honoured (same instant as 2026-06-15T00:00:00Z)
  const gte = await list(`validFor.startDateTime.gte=${encodeURIComponent('2026-06-15T02:00:00+02:00')}`);
  assert.ok(ids(gte).includes(jun.id) && !ids(gte).includes(jan.id), `gte: ${gte.text}`);
  const lte = await list('validFor.startDateTime.lte=2026-01-15T00:00:00.000Z');
  assert.ok(ids(lte).includes(jan.id) && !ids(lte).includes(jun.id), `lte: ${lte.text}`);

  assert.ok(Date.parse(jun.lastUpdate) > Date.parse(jan.lastUpdate), 'lastUpdate increases');
  const after = await list(`lastUpdate.gt=${encodeURIComponent(jan.lastUpdate)}&name=dates-jun`);
  assert.deepEqual(ids(after), [jun.id]);
  const before = await list(`lastUpdate.lt=${encodeURIComponent(jun.lastUpdate)}&name=dates-jan`);
  assert.deepEqual(ids(before), [jan.id]);
  const notBefore = await list(`lastUpdate.lt=${encodeURIComponent(jan.lastUpdate)}&name=dates-jan`);
  assert.deepEqual(ids(notBefore), []);
});

test('PATCH is a JSON merge patch (both content types)', async () => {
  const c = (await create({ name: 'patch me', description: 'old', xKeep: { a: 1, b: 2 }, xDrop: true })).json;
  await sleep(5);
  const p1 = await srv.request('PATCH', `${CATEGORY}/${c.id}`, {
    body: { description: 'new', xDrop: null, xKeep: { b: null, c: 3 } },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(p1.status, 200, p1.text);
  assert.equal(p1.json.name, 'patch me');
  assert.equal(p1.json.description, 'new');
  assert.ok(!('xDrop' in p1.json), 'null removes a member');
  assert.deepEqual(p1.json.xKeep, { a: 1, c: 3 }, 'merge patch recurses into objects');
  assert.equal(p1.json.id, c.id);
  assert.ok(Date.parse(p1.json.lastUpdate) >= Date.parse(c.lastUpdate));

  const p2 = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { name: 'patched' } });
  assert.equal(p2.status, 200, p2.text);
  assert.equal(p2.json.name, 'patched');
  assert.equal(p2.json.description, 'new');

  const g = await srv.request('GET', `${CATEGORY}/${c.id}`);
  assert.deepEqual(g.json, p2.json, 'GET after PATCH returns the patched document');
});

test('PATCH may not change id or href, nor send bad types; unknown id is 404', async () => {
  const c = (await create({ name: 'fixed id' })).json;
  const r = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { id: 'other' } });
  assert.ok(r.status === 400 || r.status === 422, `PATCH id: ${r.status} ${r.text}`);
  assertTmfError(r, r.status, assert);
  const h = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { href: 'http://elsewhere/' } });
  assert.ok(h.status === 400 || h.status === 422, `PATCH href: ${h.status} ${h.text}`);
  assertTmfError(await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { name: 5 } }), 400, assert);
  assertTmfError(await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { name: null } }), 400, assert);
  assertTmfError(await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: '{"name": ' }), 400, assert);
  assertTmfError(await srv.request('PATCH', `${CATEGORY}/0190a8f2-0000-7000-8000-000000000000`, { body: { name: 'x' } }), 404, assert);
  const g = await srv.request('GET', `${CATEGORY}/${c.id}`);
  assert.equal(g.json.name, 'fixed id', 'a rejected PATCH changes nothing');
});

test('DELETE answers 204; then GET and DELETE are 404', async () => {
  const c = (await create({ name: 'short-lived' })).json;
  const d = await srv.request('DELETE', `${CATEGORY}/${c.id}`);
  assert.equal(d.status, 204, d.text);
  assert.equal(d.text, '');
  assertTmfError(await srv.request('GET', `${CATEGORY}/${c.id}`), 404, assert);
  assertTmfError(await srv.request('DELETE', `${CATEGORY}/${c.id}`), 404, assert);
  const l = await list('name=short-lived');
  assert.equal(l.json.length, 0);
});

test('lifecycleStatus: new categories are In design; bad values and transitions are refused', async () => {
  // the rules of src/api/tmf620.c: In design -> Active -> Retired -> Obsolete, In design -> Obsolete
  const c = (await create({ name: 'lifecycle' })).json;
  assert.equal(c.lifecycleStatus, 'In design');
  assertTmfError(await srv.request('POST', CATEGORY, { body: { name: 'x', lifecycleStatus: 'Sleeping' } }), 400, assert);
  assertTmfError(await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { lifecycleStatus: 'Sleeping' } }), 400, assert);

  for (const next of ['Active', 'Retired']) {
    const r = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { lifecycleStatus: next } });
    assert.equal(r.status, 200, `-> ${next}: ${r.text}`);
    assert.equal(r.json.lifecycleStatus, next);
  }
  const back = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { lifecycleStatus: 'Active' } });
  assertTmfError(back, 409, assert, 'Retired -> Active');
  const obs = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { lifecycleStatus: 'Obsolete' } });
  assert.equal(obs.status, 200, obs.text);
  for (const next of ['In design', 'Active', 'Retired']) {
    const r = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { lifecycleStatus: next } });
    assertTmfError(r, 409, assert, `Obsolete -> ${next}`);
  }
  const g = await srv.request('GET', `${CATEGORY}/${c.id}`);
  assert.equal(g.json.lifecycleStatus, 'Obsolete', 'a refused transition changes nothing');

  const d = (await create({ name: 'lifecycle-2', lifecycleStatus: 'In design' })).json;
  const skip = await srv.request('PATCH', `${CATEGORY}/${d.id}`, { body: { lifecycleStatus: 'Obsolete' } });
  assert.equal(skip.status, 200, `In design -> Obsolete: ${skip.text}`);
});
