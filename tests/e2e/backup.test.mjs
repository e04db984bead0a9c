// backup.test.mjs: bss backup / bss restore (SQLite's online backup API):
// a backup taken while the server writes, mode 0600, never over a file;
// restore refuses while a server holds the store, refuses what is not a
// bss store, keeps the store it replaces; the round trip gives the same
// documents; PostgreSQL stores are pointed at pg_dump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, bss, created, tempDir } from './lib/server.mjs';

const CAT = '/tmf-api/productCatalogManagement/v4/category';
const PARTY = '/tmf-api/party/v4/individual';

test('a store backed up while it runs and restored elsewhere holds the same documents', async () => {
  const srv = await startServer({ backend: 'sqlite' });
  const restored = path.join(tempDir('bss-restore-'), 'store');
  let again = null;
  try {
    const cat = await created(await srv.request('POST', CAT, { body: { name: 'Backed up' } }));
    const party = await created(await srv.request('POST', PARTY, { body: { givenName: 'Bea', familyName: 'Kup' } }));
    const file = path.join(tempDir('bss-bk-'), 'bss-backup.db');
    const writes = [];
    for (let i = 0; i < 20; i++) writes.push(srv.request('POST', CAT, { body: { name: `during backup ${i}` } }));
    const b = await bss(['backup', file, '--data-dir', srv.dataDir]);
    await Promise.all(writes);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, new RegExp(`^backed up .*bss\\.db to ${file.replace(/[.]/g, '\\.')} \\(\\d+ bytes, mode 0600\\)`));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the backup holds personal data: 0600');
    const twice = await bss(['backup', file, '--data-dir', srv.dataDir]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /File exists \(a backup is never written over a file; choose a new name\)/);
    // restore refuses while a server holds the store
    const busy = await bss(['restore', file, '--data-dir', srv.dataDir]);
    assert.equal(busy.code, 1, busy.stdout);
    assert.match(busy.stderr, /bss restore: .*(in use|held|running|lock)/i);
    // into a new place, then served
    const r = await bss(['restore', file, '--data-dir', restored]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^restored .* into .*bss\.db \(schema version \d+\)$/m);
    assert.equal(fs.statSync(path.join(restored, 'bss.db')).mode & 0o777, 0o600);
    fs.copyFileSync(path.join(srv.dataDir, 'admin.key'), path.join(restored, 'admin.key'));
    fs.copyFileSync(path.join(srv.dataDir, 'secrets.key'), path.join(restored, 'secrets.key'));
    again = await startServer({ backend: 'sqlite', dataDir: restored });
    const c2 = await again.request('GET', `${CAT}/${cat.id}`);
    assert.equal(c2.status, 200, c2.text);
    assert.deepEqual({ ...c2.json, href: undefined }, { ...cat, href: undefined });
    const p2 = await again.request('GET', `${PARTY}/${party.id}`);
    assert.equal(p2.json.familyName, 'Kup');
    again.keepDataDir = true;
    await again.stop();
    again = null;
    // restoring over a store keeps the one it replaces
    const over = await bss(['restore', file, '--data-dir', restored]);
    assert.equal(over.code, 0, over.stderr);
    const kept = /the store it replaced is kept as (\S+)/.exec(over.stdout);
    assert.ok(kept && fs.existsSync(kept[1]), over.stdout);
    assert.equal(fs.statSync(kept[1]).mode & 0o777, 0o600);
  } finally {
    if (again) await again.stop();
    await srv.stop();
  }
});

test('restore refuses what is not a bss store; backup points PostgreSQL at pg_dump; usage errors', async () => {
  const dir = tempDir('bss-restore-bad-');
  const junk = path.join(dir, 'junk.db');
  fs.writeFileSync(junk, 'not a database at all');
  const r = await bss(['restore', junk, '--data-dir', path.join(dir, 'store')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `bss restore: ${junk} is not a bss store (not a SQLite file)`);
  assert.ok(!fs.existsSync(path.join(dir, 'store', 'bss.db')), 'nothing restored');
  const missing = await bss(['restore', path.join(dir, 'nope.db'), '--data-dir', path.join(dir, 'store')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.db: No such file or directory/);
  const pg = await bss(['backup', path.join(dir, 'x.db'), '--db', 'postgres://bss@127.0.0.1:1/bss']);
  assert.equal(pg.code, 2);
  assert.match(pg.stderr, /the store is PostgreSQL: use pg_dump and pg_restore/);
  const none = await bss(['backup', path.join(dir, 'x.db'), '--data-dir', path.join(dir, 'typo')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /there is no store at .*typo\/bss\.db/);
  assert.equal((await bss(['backup'])).code, 2);
  assert.equal((await bss(['backup', 'a.db', 'b.db'])).code, 2);
});
