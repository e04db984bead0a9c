// docs.test.mjs: the examples in README.md and docs/*.md run against a live
// demo server, so the documentation cannot drift from the code:
//   - every ```json block parses, unless the line before it says
//     <!-- sketch: why --> (an outline with "..." in it);
//   - a block whose first line is "METHOD /path" followed by a JSON body
//     (the request examples) is sent, and must not answer an error, unless
//     marked as a sketch (a path with {id} placeholders);
//   - a ```json block preceded by <!-- example: POST /path --> is posted
//     and must be created (2xx): the resource snippets are complete bodies;
//   - the README's curl lines run as written, against the test server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { startServer, repoRoot } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ args: ['--demo', '--default-country', 'NL'] }); });
after(async () => { await srv.stop(); });

const files = ['README.md', ...fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function blocks() {
  const out = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(repoRoot, f), 'utf8');
    const re = /```(\w*)\n([\s\S]*?)```/g;
    let m;
    while ((m = re.exec(text))) {
      const before = text.slice(0, m.index).trimEnd().split('\n').pop();
      out.push({ file: f, line: text.slice(0, m.index).split('\n').length, lang: m[1], body: m[2],
        sketch: /<!-- sketch:/.test(before), example: (/<!-- example: (\w+) (\S+) -->/.exec(before) || []).slice(1) });
    }
  }
  return out;
}

test('every JSON example parses (or is marked as a sketch)', () => {
  const bad = blocks().filter((b) => b.lang === 'json' && !b.sketch).filter((b) => {
    try { JSON.parse(b.body); return false; } catch { return true; }
  });
  assert.deepEqual(bad.map((b) => `${b.file}:${b.line}`), []);
});

test('request examples (METHOD /path + JSON) are answered without an error', async () => {
  const reqs = blocks().filter((b) => !b.sketch && /^(GET|POST|PATCH) \/\S+\n\{/.test(b.body));
  assert.ok(reqs.length >= 1);
  for (const b of reqs) {
    const [first, ...rest] = b.body.split('\n');
    const [method, p] = first.split(' ');
    const r = await srv.request(method, p, { body: JSON.parse(rest.join('\n')) });
    assert.ok(r.status < 300, `${b.file}:${b.line} ${first}: ${r.status} ${r.text.slice(0, 300)}`);
  }
});

test('resource snippets marked as examples are complete bodies the server accepts', async () => {
  const ex = blocks().filter((b) => b.example.length === 2);
  assert.ok(ex.length >= 4, 'the catalog price snippets are marked');
  for (const b of ex) {
    const r = await srv.request(b.example[0], b.example[1], { body: JSON.parse(b.body) });
    assert.ok(r.status >= 200 && r.status < 300, `${b.file}:${b.line}: ${r.status} ${r.text.slice(0, 300)}`);
  }
});

test("the README's curl lines work as written", async () => {
  const b = blocks().find((x) => x.file === 'README.md' && /curl -s/.test(x.body));
  assert.ok(b, 'the README has its curl example');
  const script = b.body.split('\n').filter((l) => !/^build\/bss /.test(l)).join('\n')
    .replaceAll('http://127.0.0.1:8080', srv.url).replaceAll('var/admin.key', path.join(srv.dataDir, 'admin.key'));
  const out = await new Promise((resolve, reject) => execFile('bash', ['-euo', 'pipefail', '-c', script], { timeout: 20000 },
    (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
  assert.match(out, /"status":"ok"/);
  assert.match(out, /"name":"Postpaid M"/);
  assert.match(out, /"display":"Zoë Bakker"/, 'the search example finds someone in the demo');
  assert.doesNotMatch(out, /"@type":"Error"/);
});
