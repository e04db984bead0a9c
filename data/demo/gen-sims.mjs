#!/usr/bin/env node
// gen-sims.mjs: writes data/demo/sims.csv, the SIM batch of the Dutch demo
// MVNO that `bss serve --demo` imports (src/cli/demo.c) through the same
// batch import as `bss inventory import-sims` (docs/inventory.md). Run it
// from anywhere: `node data/demo/gen-sims.mjs`.
//
// Deterministic: the same bytes every run. The cards are invented: ICCIDs
// 8931 44 ... with their Luhn check digit, IMSIs 204 44 ... (MCC 204, the
// Netherlands), and Ki/OPc derived from a fixed text by SHA-256, so the
// demo holds no key of any real card. 45 physical cards in two warehouses
// and 15 eSIM profiles.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { luhn } from './luhn.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, 'sims.csv');

const hex = (text) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
const digits = (text, n) => String(BigInt(`0x${hex(text)}`) % (10n ** BigInt(n))).padStart(n, '0');

const lines = ['iccid,imsi,ki,opc,pin1,puk1,pin2,puk2,profile,batch,warehouse'];
for (let n = 1; n <= 60; n++) {
  const body = `893144${String(100000000000 + n)}`;
  const esim = n > 45;
  lines.push([
    body + luhn(body),
    `20444${String(n).padStart(10, '0')}`,
    hex(`bss demo ki ${n}`),
    hex(`bss demo opc ${n}`),
    digits(`pin1 ${n}`, 4),
    digits(`puk1 ${n}`, 8),
    digits(`pin2 ${n}`, 4),
    digits(`puk2 ${n}`, 8),
    esim ? 'esim' : 'physical',
    esim ? 'DEMO-ESIM-2026-01' : 'DEMO-2026-01',
    esim ? '' : (n % 2 ? 'Utrecht' : 'Amsterdam'),
  ].join(','));
}
fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
console.log(`wrote ${OUT}: ${lines.length - 1} SIMs`);
