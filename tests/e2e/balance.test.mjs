// balance.test.mjs: prepay balances over TMF654 (docs/charging.md) against a
// real `bss serve --demo`: wallets and unit buckets, top-ups, adjustments
// and reservations with their idempotency keys, and every bad input named
// for them, each with its exact error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, created, expectError, newApiKey } from './lib/server.mjs';

const P = '/tmf-api/prepayBalanceManagement/v4';
let srv, account, wallet, line;

const post = (seg, body, key, extra = {}) =>
  srv.request('POST', `${P}/${seg}`, { body, headers: key ? { 'Idempotency-Key': key } : {}, ...extra });

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL'] });
  // a postpaid line: it has no wallet of its own yet (the demo gives its prepaid lines one)
  const lines = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&productOffering.id=po-postpaid-s')).json;
  line = lines[0];
  account = { id: line.billingAccount.id };
  wallet = await created(await post('bucket', { usageType: 'monetary', partyAccount: account, product: [{ id: line.id }],
    remainedAmount: { amount: '5.00', units: 'EUR' }, name: 'travel money' }));
});
after(async () => { await stopServer(srv); });

test('a wallet: rendered from its row, with the line it serves', async () => {
  assert.equal(wallet.usageType, 'monetary');
  assert.equal(wallet.status, 'active');
  assert.equal(wallet.bucketSource, 'wallet');
  assert.deepEqual(wallet.remainedAmount, { amount: 5, units: 'EUR' });
  assert.deepEqual(wallet.reservedAmount, { amount: 0, units: 'EUR' });
  assert.equal(wallet.product[0].id, line.id);
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  assert.equal(wallet.logicalResource[0].id, msisdn);
  const list = await srv.request('GET', `${P}/bucket?logicalResource.id=${msisdn}&usageType=monetary`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.map((b) => b.id), [wallet.id]);
  assert.equal(list.headers['x-total-count'], '1');
});

test('a top-up: once per Idempotency-Key, in the wallet\'s currency', async () => {
  const body = { amount: { amount: 12.5, units: 'EUR' }, bucket: { id: wallet.id } };
  const t = await created(await post('topupBalance', body, 'topup-1'));
  assert.equal(t.status, 'completed');
  assert.deepEqual(t.remainedAmount, { amount: 17.5, units: 'EUR' });
  const again = await post('topupBalance', body, 'topup-1');
  assert.equal(again.status, 200);
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.equal(again.json.id, t.id);
  expectError(await post('topupBalance', { ...body, amount: { amount: 13, units: 'EUR' } }, 'topup-1'), 409, 'CONFLICT',
    'Idempotency-Key', 'the key with another body');
  const b = (await srv.request('GET', `${P}/bucket/${wallet.id}`)).json;
  assert.deepEqual(b.remainedAmount, { amount: 17.5, units: 'EUR' }, 'charged once');
  // through the product: the line's own wallet
  const viaProduct = await created(await post('topupBalance', { amount: { amount: 2.5, units: 'EUR' }, product: [{ id: line.id }] }, 'topup-2'));
  assert.equal(viaProduct.bucket.id, wallet.id);
  assert.deepEqual(viaProduct.remainedAmount, { amount: 20, units: 'EUR' });
});

test('top-up refusals', async () => {
  const r = (body, key = 'bad-1') => post('topupBalance', body, key);
  expectError(await post('topupBalance', { amount: { amount: 5, units: 'EUR' }, bucket: { id: wallet.id } }), 400, 'INVALID',
    'Idempotency-Key', 'no key');
  expectError(await r({ amount: { amount: 5, units: 'USD' }, bucket: { id: wallet.id } }, 'bad-2'), 422, 'UNPROCESSABLE',
    'amount.units', 'wrong currency');
  const w = await r({ amount: { amount: 5, units: 'USD' }, bucket: { id: wallet.id } }, 'bad-2b');
  assert.match(w.json.message, /^the amount is in USD; bucket .* holds EUR$/);
  expectError(await r({ amount: { amount: -5, units: 'EUR' }, bucket: { id: wallet.id } }, 'bad-3'), 400, 'INVALID',
    'amount.amount', 'negative top-up');
  expectError(await r({ amount: { amount: 0, units: 'EUR' }, bucket: { id: wallet.id } }, 'bad-4'), 400, 'INVALID',
    'amount.amount', 'zero top-up');
  expectError(await r({ amount: { amount: '1.0000001', units: 'EUR' }, bucket: { id: wallet.id } }, 'bad-5'), 400,
    'INVALID', 'amount.amount', 'more than 6 decimals');
  expectError(await r({ amount: { amount: 100001, units: 'EUR' }, bucket: { id: wallet.id } }, 'bad-6'), 400, 'RANGE',
    'amount.amount', 'too much at once');
  expectError(await r({ amount: { amount: 5, units: 'EUR' }, bucket: { id: 'nope' } }, 'bad-7'), 422, 'UNPROCESSABLE',
    'bucket.id', 'unknown bucket');
  expectError(await r({ amount: { amount: 5, units: 'EUR' } }, 'bad-8'), 400, 'INVALID', 'bucket.id', 'no bucket');
  expectError(await r({ amount: 5, bucket: { id: wallet.id } }, 'bad-9'), 400, 'INVALID', 'amount', 'not a quantity');
  expectError(await r({ amount: { amount: 5, units: 'EUR' }, bucket: { id: wallet.id }, note: '4111 1111 1111 1111' }, 'bad-10'),
    400, 'INVALID', undefined, 'a card number');
  const long = await post('topupBalance', { amount: { amount: 1, units: 'EUR' }, bucket: { id: wallet.id } }, 'x'.repeat(129));
  expectError(long, 400, 'INVALID', 'Idempotency-Key', 'a key too long');
  const ro = await newApiKey(srv, 'readonly', 'balance reader');
  const denied = await srv.request('POST', `${P}/topupBalance`, { key: ro, headers: { 'Idempotency-Key': 'ro-1' },
    body: { amount: { amount: 1, units: 'EUR' }, bucket: { id: wallet.id } } });
  assert.equal(denied.status, 403, denied.text);
  const b = (await srv.request('GET', `${P}/bucket/${wallet.id}`)).json;
  assert.deepEqual(b.remainedAmount, { amount: 20, units: 'EUR' }, 'nothing refused changed the wallet');
});

test('unit buckets, adjustments and reservations', async () => {
  const data = await created(await post('bucket', { usageType: 'data', partyAccount: account, product: [{ id: line.id }],
    remainedAmount: { amount: 1, units: 'GB' }, name: 'welcome gift' }));
  assert.deepEqual(data.remainedAmount, { amount: 1073741824, units: 'byte' });
  assert.equal(data.bucketSource, 'promotion');
  expectError(await post('topupBalance', { amount: { amount: 1, units: 'GB' }, bucket: { id: data.id } }, 'u-1'), 422,
    'UNPROCESSABLE', 'bucket.id', 'a top-up of a unit bucket');
  const a = await created(await post('adjustBalance', { amount: { amount: 512, units: 'MB' }, usageType: 'data',
    bucket: { id: data.id }, reason: 'network outage compensation' }, 'adj-1'));
  assert.deepEqual(a.remainedAmount, { amount: 1610612736, units: 'byte' });
  expectError(await post('adjustBalance', { amount: { amount: -0.5, units: 'GB' }, usageType: 'data', bucket: { id: data.id },
    reason: 'half a GB back' }, 'adj-1b'), 400, 'INVALID', 'amount.amount', 'units taken by a fraction');
  expectError(await post('adjustBalance', { amount: { amount: 1, units: 'MB' }, usageType: 'data', bucket: { id: data.id } },
    'adj-2'), 400, 'INVALID', 'reason', 'an adjustment without a reason');
  expectError(await post('adjustBalance', { amount: { amount: 1, units: 'EUR' }, usageType: 'monetary', bucket: { id: data.id },
    reason: 'x' }, 'adj-3'), 422, 'UNPROCESSABLE', 'usageType', 'the wrong usage type');
  expectError(await post('adjustBalance', { amount: { amount: -30, units: 'EUR' }, usageType: 'monetary',
    bucket: { id: wallet.id }, reason: 'too much' }, 'adj-4'), 409, 'CONFLICT', 'amount.amount', 'below what is available');
  const debit = await created(await post('adjustBalance', { amount: { amount: -2.25, units: 'EUR' }, usageType: 'monetary',
    bucket: { id: wallet.id }, reason: 'duplicate top-up reversed' }, 'adj-5'));
  assert.deepEqual(debit.remainedAmount, { amount: 17.75, units: 'EUR' });
  const res = await created(await post('reserveBalance', { amount: { amount: 10, units: 'EUR' }, bucket: { id: wallet.id } }, 'res-1'));
  assert.equal(res.status, 'reserved');
  assert.deepEqual(res.relatedParty, []);
  expectError(await post('reserveBalance', { amount: { amount: 10, units: 'EUR' }, bucket: { id: wallet.id } }, 'res-2'), 409,
    'CONFLICT', 'amount.amount', 'more than is left after the first reservation');
  expectError(await post('reserveBalance', { amount: { amount: 1, units: 'EUR' }, bucket: { id: wallet.id },
    validFor: { endDateTime: '2020-01-01T00:00:00Z' } }, 'res-3'), 400, 'INVALID', 'validFor.endDateTime', 'a past end');
  const b = (await srv.request('GET', `${P}/bucket/${wallet.id}`)).json;
  assert.deepEqual(b.reservedAmount, { amount: 10, units: 'EUR' });
  expectError(await post('adjustBalance', { amount: { amount: -10, units: 'EUR' }, usageType: 'monetary',
    bucket: { id: wallet.id }, reason: 'reserved money is not available' }, 'adj-6'), 409, 'CONFLICT', 'amount.amount',
    'what a reservation holds cannot be taken');
  const list = (await srv.request('GET', `${P}/adjustBalance?usageType=data`)).json;
  assert.deepEqual(list.map((x) => x.id), [a.id]);
});

test('bucket refusals', async () => {
  expectError(await post('bucket', { usageType: 'monetary' }), 400, 'INVALID', 'partyAccount.id', 'no account');
  expectError(await post('bucket', { usageType: 'monetary', partyAccount: { id: 'nope' } }), 422, 'UNPROCESSABLE',
    'partyAccount.id', 'unknown account');
  expectError(await post('bucket', { usageType: 'money', partyAccount: account }), 400, 'INVALID', 'usageType', 'usage type');
  expectError(await post('bucket', { usageType: 'monetary', partyAccount: account, status: 'active' }), 400, 'INVALID',
    'status', 'a member the server keeps');
  expectError(await post('bucket', { usageType: 'monetary', partyAccount: account, remainedAmount: { amount: 1, units: 'EURO' } }),
    400, 'INVALID', 'remainedAmount.units', 'not a currency');
  expectError(await post('bucket', { usageType: 'voice', partyAccount: account, remainedAmount: { amount: 1, units: 'GB' } }),
    422, 'UNPROCESSABLE', 'remainedAmount.units', 'a unit of another service');
  expectError(await post('bucket', { usageType: 'data', partyAccount: account, isShared: true, product: [{ id: line.id }] }),
    400, 'INVALID', 'isShared', 'a shared pool of one line');
  expectError(await srv.request('GET', `${P}/bucket?name=x`), 400, 'INVALID', 'name', 'an unsupported filter');
  expectError(await srv.request('GET', `${P}/bucket/nope`), 404, 'NOT_FOUND', undefined, 'unknown bucket');
});

test('a transfer between two wallets of one account: two ledger rows, once per key; its refusals', async () => {
  const a = await created(await post('bucket', { usageType: 'monetary', partyAccount: account, remainedAmount: { amount: 20, units: 'EUR' }, name: 'a' }));
  const b = await created(await post('bucket', { usageType: 'monetary', partyAccount: account, remainedAmount: { amount: 0, units: 'EUR' }, name: 'b' }));
  const body = { amount: { amount: 5, units: 'EUR' }, bucket: { id: a.id }, receiverBucket: { id: b.id }, reason: 'family credit' };
  const t = await post('transferBalance', body, 'tr-1');
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.status, 'completed');
  assert.deepEqual([t.json.remainedAmount, t.json.receiverRemainedAmount], [{ amount: 15, units: 'EUR' }, { amount: 5, units: 'EUR' }]);
  const again = await post('transferBalance', body, 'tr-1');
  assert.equal(again.status, 200);
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.deepEqual((await srv.request('GET', `${P}/bucket/${a.id}`)).json.remainedAmount, { amount: 15, units: 'EUR' });
  assert.deepEqual((await srv.request('GET', `${P}/bucket/${b.id}`)).json.remainedAmount, { amount: 5, units: 'EUR' });
  assert.equal((await srv.request('GET', `${P}/transferBalance/${t.json.id}`)).json.receiverBucket.id, b.id);
  // refusals, each naming the member
  expectError(await post('transferBalance', body), 400, 'INVALID', 'Idempotency-Key', 'no key');
  expectError(await post('transferBalance', { ...body, amount: { amount: 50, units: 'EUR' } }, 'tr-2'), 409, 'CONFLICT', 'amount.amount', 'more than there is');
  expectError(await post('transferBalance', { ...body, receiverBucket: { id: a.id } }, 'tr-3'), 422, 'UNPROCESSABLE', 'receiverBucket.id', 'itself');
  expectError(await post('transferBalance', { ...body, amount: { amount: 5, units: 'USD' } }, 'tr-4'), 422, 'UNPROCESSABLE', undefined, 'currency');
  const other = (await srv.request('GET', '/tmf-api/accountManagement/v4/billingAccount?limit=5')).json.find((x) => x.id !== account.id);
  const c = await created(await post('bucket', { usageType: 'monetary', partyAccount: { id: other.id }, remainedAmount: { amount: 0, units: 'EUR' }, name: 'c' }));
  const x = await post('transferBalance', { ...body, receiverBucket: { id: c.id } }, 'tr-5');
  expectError(x, 422, 'UNPROCESSABLE', 'receiverBucket.id', 'another account');
  assert.match(x.json.message, /^a transfer stays within one billing account/);
  expectError(await post('transferBalance', { ...body, receiverBucket: { id: 'nope' } }, 'tr-6'), 422, 'UNPROCESSABLE', 'receiverBucket.id', 'unknown');
});

test('bss balance: a line\'s buckets, a top-up once per key, an adjustment with its reason', async () => {
  const { bss } = await import('./lib/server.mjs');
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const cli = (args) => bss(['balance', ...args, '--url', srv.url, '--key', srv.key]);
  let r = await cli(['show', msisdn]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^type\s+source\s+remaining/);
  assert.match(r.stdout, new RegExp(`monetary\\s+wallet\\s+\\S+ EUR\\s+\\S+ EUR\\s+-\\s+${wallet.id}`));
  const before = (await srv.request('GET', `${P}/bucket/${wallet.id}`)).json.remainedAmount.amount;
  r = await cli(['topup', msisdn, '2.5', '--idempotency-key', 'cli-topup-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^topupBalance \S+: completed, \S+ now holds [\d.]+ EUR \(Idempotency-Key cli-topup-1\)$/m);
  r = await cli(['topup', msisdn, '2.5', '--idempotency-key', 'cli-topup-1']);
  assert.match(r.stdout, /replayed\)$/m);
  assert.equal((await srv.request('GET', `${P}/bucket/${wallet.id}`)).json.remainedAmount.amount, +(before + 2.5).toFixed(6));
  r = await cli(['adjust', msisdn, '--reason', 'goodwill', '--', '-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await srv.request('GET', `${P}/bucket/${wallet.id}`)).json.remainedAmount.amount, +(before + 1.5).toFixed(6));
  r = await cli(['adjust', msisdn, '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /an adjustment says why: --reason TEXT/);
  r = await cli(['topup', msisdn, 'ten']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ten is not an amount/);
});

test('accumulated balances: an account\'s or a line\'s buckets summed per usage type', async () => {
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const r = await srv.request('GET', `${P}/accumulatedBalance?logicalResource.id=${msisdn}`);
  assert.equal(r.status, 200, r.text);
  const money = r.json.find((a) => a.usageType === 'monetary' && a.totalBalance.units === 'EUR');
  const wallets = (await srv.request('GET', `${P}/bucket?logicalResource.id=${msisdn}&usageType=monetary&status=active`)).json;
  assert.ok(money.bucket.some((b) => b.id === wallet.id));
  assert.equal(money.logicalResource[0].id, msisdn);
  // the line's own wallets and the account's (none here): the sum of what GET bucket shows
  const sum = (await Promise.all(money.bucket.map((b) => srv.request('GET', `${P}/bucket/${b.id}`))))
    .reduce((t, b) => t + b.json.remainedAmount.amount, 0);
  assert.equal(money.totalBalance.amount, +sum.toFixed(6));
  assert.ok(wallets.length >= 1);
  const acct = await srv.request('GET', `${P}/accumulatedBalance?partyAccount.id=${account.id}&usageType=data`);
  assert.equal(acct.status, 200, acct.text);
  assert.ok(acct.json.every((a) => a.usageType === 'data'));
  expectError(await srv.request('GET', `${P}/accumulatedBalance`), 400, 'INVALID', 'partyAccount.id', 'unfiltered');
  expectError(await srv.request('GET', `${P}/accumulatedBalance?status=active`), 400, 'INVALID', 'status', 'filter');
  expectError(await srv.request('GET', `${P}/accumulatedBalance?logicalResource.id=31699999999`), 404, 'NOT_FOUND', 'logicalResource.id', 'no line');
});

test('balance action history: every change of a bucket, newest first, with its cause; filters and refusals', async () => {
  // the wallet so far (the tests above): created with 5, top-ups of 12.5 and 2.5, a reversal of -2.25, the
  // CLI's top-up of 2.5 and its -1 (a reservation holds money but changes no value: it is not a row)
  const r = await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['x-total-count'], String(r.json.length));
  assert.deepEqual(r.json.map((h) => [h.action, h.amount.amount]),
    [['adjust', -1], ['topup', 2.5], ['adjust', -2.25], ['topup', 2.5], ['topup', 12.5], ['create', 5]]);
  // each row's remainedAmount is the one before plus its amount, and the newest is the bucket now
  const rows = [...r.json].reverse();
  let v = 0;
  for (const h of rows) {
    v = +(v + h.amount.amount).toFixed(6);
    assert.deepEqual(h.remainedAmount, { amount: v, units: 'EUR' });
    assert.equal(h['@type'], 'BalanceActionHistory');
    assert.equal(h.status, 'completed');
    assert.equal(h.bucket.id, wallet.id);
    assert.equal(h.partyAccount.id, account.id);
    assert.equal(h.usageType, 'monetary');
  }
  assert.equal((await srv.request('GET', `${P}/bucket/${wallet.id}`)).json.remainedAmount.amount, v);
  // a top-up's row points at the topupBalance that made it
  const top = r.json.find((h) => h.action === 'topup' && h.amount.amount === 12.5);
  assert.equal(top.source['@referredType'], 'TopupBalance');
  const t = await srv.request('GET', new URL(top.source.href).pathname);
  assert.equal(t.status, 200, t.text);
  assert.deepEqual(t.json.amount, { amount: 12.5, units: 'EUR' });
  const first = r.json.at(-1);
  assert.deepEqual([first.source['@referredType'], first.source.id], ['Bucket', wallet.id]);
  // one row by its id, with fields
  const one = await srv.request('GET', `${P}/balanceActionHistory/${top.id}?fields=action,amount`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(Object.keys(one.json).sort(), ['action', 'amount', 'href', 'id'].filter((k) => k in one.json).sort());
  assert.equal(one.json.action, 'topup');
  assert.equal(new URL(top.href).pathname, `${P}/balanceActionHistory/${top.id}`);
  // the line's and the account's histories; the transfer's two rows on the account
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const byLine = await srv.request('GET', `${P}/balanceActionHistory?logicalResource.id=%2B${msisdn}&action=topup&usageType=monetary`);
  assert.equal(byLine.status, 200, byLine.text);
  assert.ok(byLine.json.length >= 3 && byLine.json.every((h) => h.action === 'topup' && h.logicalResource[0].id === msisdn));
  const byAcct = (await srv.request('GET', `${P}/balanceActionHistory?partyAccount.id=${account.id}&action=transfer`)).json;
  assert.deepEqual(byAcct.map((h) => h.amount.amount).sort(), [-5, 5]);
  assert.ok(byAcct.every((h) => h.source['@referredType'] === 'TransferBalance'));
  // a time window: nothing in the future, everything since the start
  const future = await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&confirmationDate.gte=2999-01-01T00:00:00Z`);
  assert.deepEqual(future.json, []);
  assert.equal(future.headers['x-total-count'], '0');
  const since = await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&confirmationDate.gt=2000-01-01T00:00:00Z&limit=2&offset=1`);
  assert.deepEqual(since.json.map((h) => h.id), r.json.slice(1, 3).map((h) => h.id));
  // refusals, each naming the parameter
  expectError(await srv.request('GET', `${P}/balanceActionHistory`), 400, 'INVALID', 'bucket.id', 'a history of nothing');
  expectError(await srv.request('GET', `${P}/balanceActionHistory?action=topup`), 400, 'INVALID', 'bucket.id', 'no anchor');
  expectError(await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&status=completed`), 400, 'INVALID', 'status', 'filter');
  expectError(await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&confirmationDate=2026-01-01T00:00:00Z`),
    400, 'INVALID', 'confirmationDate', 'an equal time');
  expectError(await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&confirmationDate.gt=yesterday`),
    400, 'INVALID', 'confirmationDate.gt', 'not a time');
  expectError(await srv.request('GET', `${P}/balanceActionHistory?bucket.id=${wallet.id}&sort=amount`), 400, 'INVALID', 'sort', 'sort');
  expectError(await srv.request('GET', `${P}/balanceActionHistory/nope`), 404, 'NOT_FOUND', 'id', 'unknown');
  // the CLI's view of the same ledger
  const { bss } = await import('./lib/server.mjs');
  const c = await bss(['balance', 'history', msisdn, '--type', 'monetary', '--url', srv.url, '--key', srv.key]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /^when\s+action\s+type\s+amount\s+after\s+source$/m);
  assert.match(c.stdout, new RegExp(`^\\S+\\s+topup\\s+monetary\\s+12\\.5 EUR\\s+17\\.5 EUR\\s+TopupBalance ${t.json.id}$`, 'm'));
  const none = await bss(['balance', 'history', msisdn, '--from', '2999-01-01T00:00:00Z', '--url', srv.url, '--key', srv.key]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /has no balance history that matches/);
});
