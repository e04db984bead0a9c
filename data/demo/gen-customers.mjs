#!/usr/bin/env node
// gen-customers.mjs: writes data/demo/customers.json, the customers of the
// Dutch demo MVNO that `bss serve --demo` seeds (src/cli/demo.c) next to
// data/demo/catalog.json. Run it from anywhere: `node data/demo/gen-customers.mjs`.
//
// Deterministic: every "random" choice comes from one PRNG with a fixed seed
// and the ids are UUIDv7-shaped from a fixed base time, so running it again
// writes the same bytes. Edit the tables below and re-run to change the data.
//
// The file holds TMF documents exactly as the REST API takes them (ids
// included, so documents can refer to each other), in the order the seeder
// creates them: individuals, organizations (a parent before its
// subsidiaries), customers, billingAccounts (a parent account before the
// accounts it pays for), consents (decisions in order, so a grant followed
// by a withdrawal leaves the consent withdrawn), interactions,
// troubleTickets (created acknowledged), then updates: merge patches applied
// in order (ticket status walks, a suspended and a closed customer, the
// parent organization's child list once the children exist).
//
// The people are invented. E-mail addresses use the reserved example.com /
// example.net / example.org domains (RFC 2606) so a demo can never mail a
// real person; mobile numbers are +316 E.164 numbers as Dutch subscribers
// have; post codes have the real 4-digit area of their city.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { luhn } from './luhn.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, 'customers.json');

// ---- deterministic helpers ----------------------------------------------

let seed = 0x5eed2026;
function rand() { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pad = (n, w) => String(n).padStart(w, '0');
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');

const BASE_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
let idSeq = 0;
function uuid7() { // the shape of the server's ids (core/id.h): 48-bit ms, version 7, variant 10
  const ms = BASE_MS + idSeq * 1000;
  idSeq++;
  const t = ms.toString(16).padStart(12, '0');
  const a = (0x7000 | (idSeq & 0x0fff)).toString(16);
  const b = (0x8000 | int(0, 0x3fff)).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${a}-${b}-${hex(12)}`;
}

// lower-case ASCII for e-mail local parts
const ascii = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ı/g, 'i').replace(/ł/g, 'l')
  .replace(/ø/g, 'o').replace(/ß/g, 'ss').toLowerCase();
const slug = (s) => ascii(s).replace(/[^a-z0-9]+/g, '');

const iso = (ms) => new Date(ms).toISOString();

// ---- the places ----------------------------------------------------------

const cities = [
  { city: 'Amsterdam', pc: [1012, 1017, 1054, 1094], streets: ['Prinsengracht', 'Van Baerlestraat', 'Javastraat', 'Bos en Lommerweg'] },
  { city: 'Rotterdam', pc: [3011, 3014, 3021, 3074], streets: ['Witte de Withstraat', 'Nieuwe Binnenweg', 'Zwart Janstraat', 'Beijerlandselaan'] },
  { city: 'Den Haag', pc: [2511, 2517, 2564, 2572], streets: ['Laan van Meerdervoort', 'Weimarstraat', 'Frederik Hendriklaan'] },
  { city: 'Utrecht', pc: [3511, 3513, 3581], streets: ['Oudegracht', 'Amsterdamsestraatweg', 'Biltstraat'] },
  { city: 'Eindhoven', pc: [5611, 5615, 5643], streets: ['Stratumseind', 'Kruisstraat', 'Hoogstraat'] },
  { city: 'Groningen', pc: [9711, 9712, 9725], streets: ['Herestraat', 'Oosterstraat', 'Korreweg'] },
  { city: 'Haarlem', pc: [2011, 2012, 2023], streets: ['Zijlweg', 'Kleine Houtstraat', 'Rijksstraatweg'] },
  { city: 'Leiden', pc: [2311, 2313], streets: ['Breestraat', 'Haarlemmerstraat'] },
  { city: 'Maastricht', pc: [6211, 6221], streets: ['Tongersestraat', 'Wycker Brugstraat'] },
  { city: 'Zwolle', pc: [8011, 8012], streets: ['Diezerstraat', 'Assendorperstraat'] },
  { city: 'Nijmegen', pc: [6511, 6524], streets: ['Lange Hezelstraat', 'Graafseweg'] },
  { city: 'Tilburg', pc: [5038, 5041], streets: ['Piusstraat', 'Korvelseweg'] },
  { city: 'Almere', pc: [1315, 1325], streets: ['Hospitaaldreef', 'Randstad 22'] },
  { city: 'Arnhem', pc: [6811, 6822], streets: ['Steenstraat', 'Velperweg'] },
  { city: 'Enschede', pc: [7511, 7513], streets: ['Haaksbergerstraat', 'Oldenzaalsestraat'] },
  { city: 'Breda', pc: [4811, 4818], streets: ['Ginnekenweg', 'Haagweg'] },
  { city: 'Leeuwarden', pc: [8911, 8921], streets: ['Nieuwestad', 'Voorstreek'] },
  { city: 'Delft', pc: [2611, 2613], streets: ['Oude Delft', 'Phoenixstraat'] },
  { city: "'s-Hertogenbosch", pc: [5211, 5223], streets: ['Vughterstraat', 'Orthenseweg'] },
  { city: 'Amersfoort', pc: [3811, 3818], streets: ['Leusderweg', 'Arnhemseweg'] },
];
const PC_LETTERS = ['AB', 'BC', 'CK', 'DL', 'EJ', 'GH', 'HK', 'JR', 'KM', 'LN', 'MP', 'NT', 'PV', 'RW', 'TX', 'VZ'];

function address(cityName) {
  const c = cityName ? cities.find((x) => x.city === cityName) : pick(cities);
  const street = pick(c.streets);
  const nr = int(1, 240);
  const extra = rand() < 0.2 ? pick(['-1', ' A', ' bis', '-III', ' hs']) : '';
  return { street1: /\d$/.test(street) ? street : `${street} ${nr}${extra}`, city: c.city,
    postCode: `${pick(c.pc)} ${pick(PC_LETTERS)}`, country: 'NL' };
}

const usedPhones = new Set();
// Draws that are not numbers of the Dutch plan (06-7x and 06-9x are not
// mobile ranges: libphonenumber refuses them), each replaced once by a valid
// number when the seeding began to check phone numbers; kept as a table so
// that the file stays what it was.
const VALID = { '+31678896206': '+31628896206', '+31671664172': '+31611664172', '+31691564108': '+31641564108',
  '+31693346010': '+31643346010', '+31699934155': '+31649934155', '+31691503874': '+31641503874',
  '+31672647372': '+31622647372' };
function mobile() {
  for (;;) {
    const drawn = `+316${pad(int(10000000, 99999999), 8)}`;
    const n = VALID[drawn] || drawn;
    if (/^\+316[79]/.test(n)) throw new Error(`mobile(): ${n} is not a Dutch mobile number; add it to VALID`);
    if (!usedPhones.has(n)) { usedPhones.add(n); return n; }
  }
}

const MAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];
const usedMails = new Set();
function email(local) {
  for (let i = 0; ; i++) {
    const m = `${local}${i ? i : ''}@${pick(MAIL_DOMAINS)}`;
    if (!usedMails.has(m)) { usedMails.add(m); return m; }
  }
}

const usedDocs = new Set();
function idNumber() { // Dutch passport / ID card numbers: 9 characters, letters and digits, no O
  const L = 'ABCDEFGHIJKLMNPQRSTUVWXYZ';
  for (;;) {
    const n = `${L[int(0, 24)]}${L[int(0, 24)]}${L[int(0, 24)]}${pad(int(0, 999999), 6)}`;
    if (!usedDocs.has(n)) { usedDocs.add(n); return n; }
  }
}
function kvk() {
  for (;;) {
    const n = String(int(10000000, 99999999));
    if (!usedDocs.has(n)) { usedDocs.add(n); return n; }
  }
}

// ---- the people ----------------------------------------------------------
// [given, family, gender, languages (first is preferred), nationality, city, segment, payment]

const consumers = [
  ['Sjoerd', 'de Vries', 'male', ['nl', 'en'], 'NL', 'Leeuwarden', 'consumer', 'postpaid'],
  ['Zoë', 'Bakker', 'female', ['nl', 'en'], 'NL', 'Utrecht', 'consumer', 'postpaid'],
  ['Mehmet', 'Yılmaz', 'male', ['nl', 'tr'], 'NL', 'Rotterdam', 'consumer', 'postpaid'],
  ['Anaïs', 'Dubois', 'female', ['en', 'fr'], 'FR', 'Amsterdam', 'consumer', 'prepaid'],
  ['Daan', 'Jansen', 'male', ['nl'], 'NL', 'Eindhoven', 'consumer', 'postpaid'],
  ['Fleur', 'van den Berg', 'female', ['nl', 'en'], 'NL', 'Haarlem', 'vip', 'postpaid'],
  ['Bram', 'Visser', 'male', ['nl'], 'NL', 'Groningen', 'consumer', 'prepaid'],
  ['Noor', 'El Amrani', 'female', ['nl', 'ar'], 'NL', 'Den Haag', 'consumer', 'postpaid'],
  ['Priya', 'Ramdin', 'female', ['nl', 'en'], 'NL', 'Den Haag', 'consumer', 'postpaid'],
  ['Jayden', 'Pinas', 'male', ['nl'], 'NL', 'Almere', 'consumer', 'prepaid'],
  ['Lieke', 'Smit', 'female', ['nl'], 'NL', 'Zwolle', 'consumer', 'postpaid'],
  ['Thijs', 'Meijer', 'male', ['nl', 'en'], 'NL', 'Delft', 'consumer', 'prepaid'],
  ['Saskia', 'de Boer', 'female', ['nl'], 'NL', 'Amersfoort', 'consumer', 'postpaid'],
  ['Youssef', 'Benali', 'male', ['nl', 'ar'], 'NL', 'Utrecht', 'consumer', 'prepaid'],
  ['Eline', 'Mulder', 'female', ['nl', 'en'], 'NL', 'Nijmegen', 'consumer', 'postpaid'],
  ['Ruud', 'de Groot', 'male', ['nl'], 'NL', 'Tilburg', 'consumer', 'postpaid'],
  ['Aylin', 'Kaya', 'female', ['nl', 'tr'], 'NL', 'Arnhem', 'consumer', 'postpaid'],
  ['Joël', 'Bos', 'male', ['nl', 'en'], 'NL', 'Breda', 'consumer', 'prepaid'],
  ['Inge', 'Vos', 'female', ['nl'], 'NL', 'Enschede', 'consumer', 'postpaid'],
  ['Wouter', 'Peters', 'male', ['nl', 'en'], 'NL', 'Maastricht', 'vip', 'postpaid'],
  ['Femke', 'Hendriks', 'female', ['nl'], 'NL', "'s-Hertogenbosch", 'consumer', 'postpaid'],
  ['Tomasz', 'Wiśniewski', 'male', ['pl', 'en'], 'PL', 'Rotterdam', 'consumer', 'prepaid'],
  ['Agnieszka', 'Kowalczyk', 'female', ['pl', 'nl'], 'PL', 'Den Haag', 'consumer', 'prepaid'],
  ['Sven', 'van Dijk', 'male', ['nl'], 'NL', 'Amsterdam', 'consumer', 'postpaid'],
  ['Maarten', 'Dekker', 'male', ['nl', 'en'], 'NL', 'Leiden', 'consumer', 'postpaid'],
  ['Renée', 'Brouwer', 'female', ['nl', 'fr'], 'NL', 'Maastricht', 'consumer', 'postpaid'],
  ['Kees', 'van der Linden', 'male', ['nl'], 'NL', 'Haarlem', 'consumer', 'postpaid'],
  ['Marloes', 'de Wit', 'female', ['nl', 'en'], 'NL', 'Groningen', 'consumer', 'prepaid'],
  ['Ahmed', 'Haddou', 'male', ['nl', 'ar'], 'NL', 'Amsterdam', 'consumer', 'postpaid'],
  ['Lucía', 'Fernández', 'female', ['en', 'es'], 'ES', 'Eindhoven', 'consumer', 'prepaid'],
  ['Björn', 'Lindqvist', 'male', ['en', 'sv'], 'SE', 'Delft', 'consumer', 'postpaid'],
  ['Ngozi', 'Okafor', 'female', ['en', 'nl'], 'NG', 'Amsterdam', 'consumer', 'prepaid'],
  ['Wei', 'Chen', 'male', ['en', 'zh'], 'NL', 'Eindhoven', 'consumer', 'postpaid'],
  ['Gert-Jan', 'Dijkstra', 'male', ['nl'], 'NL', 'Leeuwarden', 'consumer', 'postpaid'],
  ['Annelies', 'Schouten', 'female', ['nl'], 'NL', 'Amersfoort', 'vip', 'postpaid'],
  ['Ömer', 'Çelik', 'male', ['nl', 'tr'], 'NL', 'Enschede', 'consumer', 'prepaid'],
  ['Iris', 'van Leeuwen', 'female', ['nl', 'en'], 'NL', 'Utrecht', 'consumer', 'postpaid'],
  ['Stijn', 'Willems', 'male', ['nl'], 'NL', 'Tilburg', 'consumer', 'prepaid'],
  ['Hanna', 'Nowak', 'female', ['pl', 'en'], 'PL', 'Breda', 'consumer', 'prepaid'],
  ['João', 'Silva', 'male', ['en', 'pt'], 'PT', 'Rotterdam', 'consumer', 'postpaid'],
  ['Dewi', 'Hartono', 'female', ['nl', 'en'], 'NL', 'Den Haag', 'consumer', 'postpaid'],
  ['Ilse', 'Verbeek', 'female', ['nl'], 'NL', 'Nijmegen', 'consumer', 'postpaid'],
];

// The operator's own account managers (parties without a customer).
const staff = [['Marieke', 'Vermeulen'], ['Jeroen', 'Koopmans']];

// [key, legal name, trading name, city, segment, parentKey, employees]
const businesses = [
  ['vdmeer', 'Van der Meer Installatietechniek B.V.', 'Van der Meer Installatietechniek', 'Zwolle', 'business', null],
  ['korenaar', 'Bakkerij Het Gouden Korenaar V.O.F.', 'Het Gouden Korenaar', 'Haarlem', 'business', null],
  ['fietskoeriers', 'Groene Fietskoeriers Utrecht B.V.', 'Groene Fietskoeriers', 'Utrecht', 'business', null],
  ['delta', 'Delta Logistiek Groep B.V.', 'Delta Logistiek', 'Rotterdam', 'business', null],
  ['delta-transport', 'Delta Transport B.V.', 'Delta Transport', 'Rotterdam', 'business', 'delta'],
  ['delta-warehousing', 'Delta Warehousing B.V.', 'Delta Warehousing', 'Tilburg', 'business', 'delta'],
  ['slimmeter', 'SlimMeter Diensten B.V.', 'SlimMeter', 'Arnhem', 'iot', null],
  ['fleetwise', 'Fleetwise Track & Trace B.V.', 'Fleetwise', 'Eindhoven', 'iot', null],
  ['tandarts', 'Tandartsenpraktijk Oost Amsterdam', 'Tandartsenpraktijk Oost', 'Amsterdam', 'business', null],
  ['zwaan', 'Café De Zwaan', 'De Zwaan', 'Groningen', 'business', null],
  ['studionoord', 'Studio Noord Architecten B.V.', 'Studio Noord', 'Leeuwarden', 'business', null],
];

// ---- documents -----------------------------------------------------------

const out = {
  format: 'bss-demo-customers/1',
  individuals: [], organizations: [], customers: [], billingAccounts: [],
  consents: [], interactions: [], troubleTickets: [], updates: [],
};

const ref = (id, type, name, role) => ({ id, '@referredType': type, ...(name ? { name } : {}), ...(role ? { role } : {}) });
let cycleSeq = 0;
const nextCycleDay = () => ((cycleSeq++ * 5) % 28) + 1; // 5 and 28 are coprime: every day 1..28 in turn

const staffParties = staff.map(([given, family]) => {
  const doc = { id: uuid7(), givenName: given, familyName: family, status: 'validated',
    languageAbility: [{ languageCode: 'nl', isFavouriteLanguage: true }, { languageCode: 'en' }],
    contactMedium: [{ mediumType: 'email', preferred: true,
      characteristic: { emailAddress: `${slug(given)}.${slug(family)}@zakelijk.example.com` } }],
    partyCharacteristic: [{ name: 'role', value: 'accountManager' }] };
  out.individuals.push(doc);
  return doc;
});

function sinceMs(minYear = 2016) { // customer since: 2016 (or the year they came of age) .. 2025
  return Date.UTC(int(Math.min(Math.max(minYear, 2016), 2025), 2025), int(0, 11), int(1, 28), int(8, 19), int(0, 59), 0);
}

const people = [];
consumers.forEach(([given, family, gender, langs, nat, city, segment, payment], i) => {
  const name = `${given} ${family}`;
  const born = int(1950, 2005);
  const birth = `${born}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`;
  const party = { id: uuid7(), givenName: given, familyName: family, gender, birthDate: birth, nationality: nat,
    status: payment === 'postpaid' ? 'validated' : 'initialized',
    languageAbility: langs.map((l, k) => (k === 0 ? { languageCode: l, isFavouriteLanguage: true } : { languageCode: l })),
    contactMedium: [
      { mediumType: 'email', preferred: true,
        characteristic: { emailAddress: email(`${slug(given)}.${slug(family)}`) } },
      { mediumType: 'mobile', characteristic: { phoneNumber: mobile() } },
      { mediumType: 'postalAddress', characteristic: address(city) },
    ] };
  if (payment === 'postpaid') { // KYC for a contract
    party.individualIdentification = [{ identificationType: nat === 'NL' ? 'nationalIdCard' : 'passport',
      identificationId: idNumber(), issuingCountry: nat === 'NG' ? 'NG' : nat,
      validFor: { startDateTime: `${int(2018, 2025)}-${pad(int(1, 12), 2)}-01T00:00:00Z` } }];
  }
  out.individuals.push(party);
  const prospect = i === 11 || i === 37; // two prospects: signed up online, not yet activated
  const customer = { id: uuid7(), name, engagedParty: ref(party.id, 'Individual', name),
    status: prospect ? 'prospect' : 'active', segment,
    creditClass: segment === 'vip' ? 'A' : payment === 'postpaid' ? pick(['A', 'B', 'B']) : 'C',
    characteristic: [{ name: 'paymentType', value: payment }, { name: 'preferredLanguage', value: langs[0] }] };
  if (!prospect) customer.customerSince = iso(sinceMs(born + 18));
  if (segment === 'vip') customer.relatedParty = [ref(staffParties[i % 2].id, 'Individual', `${staffParties[i % 2].givenName} ${staffParties[i % 2].familyName}`, 'accountManager')];
  out.customers.push(customer);
  const account = { id: uuid7(), name: payment === 'prepaid' ? `${name} prepaid` : `${name} mobiel`,
    relatedParty: [ref(party.id, 'Individual', name, 'owner')], customer: ref(customer.id, 'Customer', name),
    currency: 'EUR', billCycleDay: nextCycleDay(),
    billStructure: { presentationMedia: [{ id: payment === 'prepaid' ? 'portal' : pick(['email', 'email', 'email', 'paper']) }] } };
  if (payment === 'postpaid') {
    account.creditLimit = { unit: 'EUR', value: segment === 'vip' ? 1000 : pick([100, 150, 250]) };
    account.defaultPaymentMethod = { id: `pm_sepa_${hex(16)}`, '@referredType': 'PaymentMethod', name: 'SEPA direct debit' };
  }
  out.billingAccounts.push(account);
  people.push({ given, family, name, party, customer, account, payment });
});

const orgs = {};
businesses.forEach(([key, legal, trading, city, segment, parentKey], i) => {
  const domain = `${slug(trading)}.example.com`;
  const org = { id: uuid7(), name: legal, tradingName: trading, isLegalEntity: true, isHeadOffice: !parentKey,
    status: 'validated',
    organizationIdentification: [{ identificationType: 'companyRegistration', identificationId: kvk(),
      issuingAuthority: 'Kamer van Koophandel', issuingCountry: 'NL' }],
    contactMedium: [
      { mediumType: 'email', preferred: true, characteristic: { emailAddress: `${pick(['info', 'administratie', 'facturen'])}@${domain}` } },
      { mediumType: 'phone', characteristic: { phoneNumber: `+31${pick(['10', '20', '30', '38', '40', '50', '58', '13', '26', '23'])}${pad(int(1000000, 9999999), 7)}` } },
      { mediumType: 'postalAddress', characteristic: address(city) },
    ] };
  const parent = parentKey ? orgs[parentKey] : null;
  if (parent) org.organizationParentRelationship = { relationshipType: 'subsidiary', organization: ref(parent.org.id, 'Organization', parent.org.name) };
  out.organizations.push(org);
  const manager = staffParties[i % 2];
  const customer = { id: uuid7(), name: legal, engagedParty: ref(org.id, 'Organization', legal), status: 'active',
    segment, creditClass: pick(['A', 'A', 'B']), customerSince: iso(sinceMs()),
    relatedParty: [ref(manager.id, 'Individual', `${manager.givenName} ${manager.familyName}`, 'accountManager')],
    characteristic: [{ name: 'paymentType', value: 'postpaid' }, { name: 'preferredLanguage', value: 'nl' },
      { name: 'employees', value: String(int(3, 400)) }] };
  out.customers.push(customer);
  const account = { id: uuid7(), name: parent ? `${trading} (gefactureerd via ${parent.org.tradingName})` : `${trading} zakelijk`,
    relatedParty: [ref(org.id, 'Organization', legal, 'owner')], customer: ref(customer.id, 'Customer', legal),
    currency: 'EUR', billCycleDay: nextCycleDay(),
    creditLimit: { unit: 'EUR', value: segment === 'iot' ? 25000 : key === 'delta' ? 50000 : pick([1500, 2500, 5000]) },
    billStructure: { presentationMedia: [{ id: 'email' }, ...(key === 'delta' ? [{ id: 'paper' }] : [])] },
    defaultPaymentMethod: { id: `pm_sepa_b2b_${hex(16)}`, '@referredType': 'PaymentMethod', name: 'SEPA B2B direct debit' } };
  if (parent) account.parentAccount = ref(parent.account.id, 'BillingAccount', parent.account.name);
  if (key === 'tandarts') {
    account.taxExemption = [{ certificateReference: 'BTW-VRIJ-MED-2019-0417', reason: 'medical care (Wet OB art. 11 lid 1 g)',
      validFor: { startDateTime: '2019-01-01T00:00:00Z' } }];
  }
  out.billingAccounts.push(account);
  orgs[key] = { org, customer, account };
});
// the group lists its subsidiaries once they exist
out.updates.push({ kind: 'organization', id: orgs.delta.org.id, patch: { organizationChildRelationship: [
  { relationshipType: 'subsidiary', organization: ref(orgs['delta-transport'].org.id, 'Organization', orgs['delta-transport'].org.name) },
  { relationshipType: 'subsidiary', organization: ref(orgs['delta-warehousing'].org.id, 'Organization', orgs['delta-warehousing'].org.name) },
] } });

// ---- consent -------------------------------------------------------------

const consent = (party, type, purpose, channel, granted, source, wordingVersion, note) => {
  const c = { partyId: party.id, partyType: type, purpose, channel, granted, source, wordingVersion };
  if (note) c.note = note;
  out.consents.push(c);
};
people.forEach((p, i) => {
  if (i % 3 === 0) consent(p.party, 'individual', 'marketing', 'email', true, 'selfCare', 'mkt-2025-03');
  if (i % 4 === 1) consent(p.party, 'individual', 'marketing', 'sms', true, 'agent', 'mkt-2025-03');
  if (i % 5 === 2) consent(p.party, 'individual', 'profiling', 'email', true, 'selfCare', 'prof-2025-01');
  if (i % 7 === 4) consent(p.party, 'individual', 'thirdPartySharing', 'email', false, 'selfCare', 'tps-2025-01');
});
for (const i of [0, 9, 17, 25]) { // granted, then withdrawn: the latest decision counts
  const p = people[i];
  consent(p.party, 'individual', 'marketing', 'sms', true, 'agent', 'mkt-2025-03');
  consent(p.party, 'individual', 'marketing', 'sms', false, 'channel', 'mkt-2025-03', 'replied STOP to 4455');
}
consent(people[5].party, 'individual', 'marketing', 'email', false, 'agent', 'mkt-2025-03', 'asked on the phone to stop the newsletter');
consent(orgs.vdmeer.org, 'organization', 'marketing', 'email', true, 'agent', 'mkt-b2b-2025-02');
consent(orgs.delta.org, 'organization', 'marketing', 'email', true, 'agent', 'mkt-b2b-2025-02');
consent(orgs.zwaan.org, 'organization', 'marketing', 'phone', false, 'agent', 'mkt-b2b-2025-02', 'no sales calls during opening hours');

// ---- interactions ----------------------------------------------------------

const agents = {
  lotte: ref('agent-lotte-jansen', 'ApiKey', 'Lotte Jansen', 'agent'),
  karim: ref('agent-karim-bouzid', 'ApiKey', 'Karim Bouzid', 'agent'),
  shopUtrecht: ref('agent-shop-utrecht', 'ApiKey', 'Winkel Utrecht Centrum', 'agent'),
  shopRotterdam: ref('agent-shop-rotterdam', 'ApiKey', 'Winkel Rotterdam Zuidplein', 'agent'),
  chatbot: ref('agent-chat-triage', 'ApiKey', 'Chat triage', 'agent'),
};
let dayMs = Date.UTC(2025, 10, 3, 9, 12, 0); // November 2025: in the past for any demo clock since
function interaction(who, channel, direction, reason, agent, minutes, noteText, extra = {}) {
  const start = dayMs;
  dayMs += int(2, 9) * 3600000 + int(0, 59) * 60000;
  const subj = who.customer;
  const doc = { id: uuid7(), channel: [{ name: channel, '@type': 'ChannelRef' }], direction, reason, status: 'completed',
    interactionDate: { startDateTime: iso(start), endDateTime: iso(start + minutes * 60000) },
    relatedParty: [ref(subj.id, 'Customer', subj.name, 'customer'), agent],
    note: [{ text: noteText, author: agent.name, date: iso(start + minutes * 60000) }], ...extra };
  out.interactions.push(doc);
  return doc;
}
const P = (given) => people.find((p) => p.given === given);
const B = (key) => ({ customer: orgs[key].customer, account: orgs[key].account });
interaction(P('Sjoerd'), 'call', 'inbound', 'bill question', agents.lotte, 7,
  'Asked why the October bill was higher: 2.1 GB out-of-bundle data in Norway. Explained the roaming rates.');
interaction(P('Zoë'), 'chat', 'inbound', 'roaming activation', agents.chatbot, 4,
  'Going to Morocco next week; roaming outside the EU was off. Switched it on after confirming her date of birth.');
interaction(P('Mehmet'), 'shop', 'inbound', 'SIM swap', agents.shopRotterdam, 15,
  'Phone stolen. Blocked the old SIM, handed out a new eSIM profile after checking his ID card.');
interaction(P('Anaïs'), 'selfCare', 'inbound', 'prepaid top-up failed', agents.chatbot, 2,
  'iDEAL top-up of EUR 20 was cancelled by the bank; customer retried successfully.');
interaction(P('Fleur'), 'call', 'outbound', 'retention offer', agents.karim, 12,
  'Contract ends next month. Offered the unlimited plan at the current price for 24 months; she will think about it.');
interaction(P('Noor'), 'email', 'inbound', 'address change', agents.lotte, 3,
  'Moved within Den Haag; updated the postal address from her e-mail.');
interaction(P('Ruud'), 'call', 'inbound', 'number porting out', agents.karim, 9,
  'Wants to port his number to another operator. Gave him the porting code; contract ends at the end of the month.');
interaction(P('Tomasz'), 'chat', 'inbound', 'bundle question', agents.chatbot, 6,
  'Asked in English how to add the EU calling bundle. Sent the self-care link.');
interaction(P('Iris'), 'shop', 'inbound', 'new phone on contract', agents.shopUtrecht, 25,
  'Chose a new phone on a 24-month contract; credit check passed.');
interaction(P('Wouter'), 'call', 'inbound', 'no data while abroad', agents.lotte, 11,
  'No mobile data in Belgium since this morning. Reset his network registration; ticket opened for the network team.');
interaction(B('delta'), 'call', 'inbound', 'fleet order', agents.karim, 18,
  'Fleet manager wants 40 extra lines for Delta Transport, billed through the group account.');
interaction(B('fleetwise'), 'email', 'inbound', 'IoT SIM activation', agents.karim, 5,
  'Requested activation of 500 data-only SIMs for trackers; batch scheduled.');
interaction(B('zwaan'), 'shop', 'inbound', 'business plan change', agents.shopUtrecht, 20,
  'Owner switched the café phone to the small-business plan.');
interaction(P('Lucía'), 'call', 'inbound', 'voicemail language', agents.lotte, 4,
  'Switched the voicemail greeting to English.');

// ---- trouble tickets -------------------------------------------------------

// A ticket opened (acknowledged), then walked through its status changes; the
// agent who starts work becomes the assignee (a merge patch replaces the
// whole relatedParty list, so the customer reference is repeated).
function ticket(who, agent, type, severity, description, walk) {
  const customerRef = ref(who.customer.id, 'Customer', who.customer.name, 'customer');
  const doc = { id: uuid7(), name: description.split('.')[0].slice(0, 60), description, ticketType: type, severity,
    relatedParty: [customerRef] };
  out.troubleTickets.push(doc);
  for (const patch of walk) {
    if (patch.status === 'inProgress' && !patch.relatedParty) patch.relatedParty = [customerRef, { ...agent, role: 'assignee' }];
    out.updates.push({ kind: 'troubleTicket', id: doc.id, patch });
  }
  return doc;
}
ticket(P('Wouter'), agents.lotte, 'network', 'major', 'No mobile data while roaming in Belgium. Handset restarted, APN checked.', [
  { status: 'inProgress', note: [{ text: 'Escalated to the roaming partner desk.', author: 'Lotte Jansen' }] },
]);
ticket(P('Sjoerd'), agents.karim, 'billing', 'minor', 'Customer disputes EUR 14.70 of roaming data on the October bill.', [
  { status: 'inProgress', note: [{ text: 'Checking the usage records of 12-14 October.', author: 'Karim Bouzid' }] },
  { status: 'resolved', statusChangeReason: 'usage confirmed; goodwill credit of EUR 5 granted',
    note: [{ text: 'Explained the usage; granted EUR 5 goodwill credit.', author: 'Karim Bouzid' }] },
]);
ticket(P('Mehmet'), agents.karim, 'fraud', 'critical', 'Stolen phone: check for calls to premium numbers after the theft.', [
  { status: 'inProgress' },
  { status: 'resolved', statusChangeReason: 'no premium calls found',
    note: [{ text: 'CDRs since the theft checked: no premium or international calls.', author: 'Karim Bouzid' }] },
  { status: 'closed' },
]);
ticket(P('Priya'), agents.lotte, 'network', 'minor', 'Poor indoor coverage at home in Den Haag (Laak).', [
  { status: 'inProgress' },
  { status: 'pending', statusChangeReason: 'waiting for the customer to test Wi-Fi calling' },
]);
ticket(B('fleetwise'), agents.karim, 'service', 'major', '12 tracker SIMs of the last batch do not register on the network.', []);
ticket(P('Aylin'), agents.lotte, 'billing', 'low', 'Paper bill still sent although e-mail bills were requested.', []);
ticket(B('delta-transport'), agents.karim, 'service', 'minor', 'Fleet portal shows the lines of Delta Transport under the group only.', [
  { status: 'inProgress', note: [{ text: 'Portal team informed.', author: 'Karim Bouzid' }] },
]);

// ---- customer lifecycle ----------------------------------------------------

out.updates.push({ kind: 'customer', id: P('Jayden').customer.id, patch: { status: 'suspended',
  statusReason: 'fraud check after three failed top-ups with different cards' } });
out.updates.push({ kind: 'customer', id: P('Ruud').customer.id, patch: { status: 'closed', statusReason: 'ported out' } });
out.updates.push({ kind: 'billingAccount', id: P('Ruud').account.id, patch: { state: 'closed' } });

// ---- products: the lines the customers have -------------------------------
//
// Each line holds the number and SIM it runs on: numbers +31 6 1000 0000 onwards
// and the cards of data/demo/sims.csv (gen-sims.mjs: card n is ICCID
// 893144 1000000000nn + check digit, IMSI 20444 00000000nn) in turn, so the
// demo's inventory shows them active. Generated last so that the ids above
// stay as they were.
out.products = [];
let lineSeq = 0;
function line(who, offering, { status = 'active', esim = false } = {}) {
  const n = esim ? 46 + (lineSeq % 15) : 1 + lineSeq;
  const k = lineSeq++;
  const body = `893144${String(100000000000 + n)}`;
  const doc = { id: uuid7(), productOffering: { id: offering }, status, isBundle: false,
    billingAccount: ref(who.account.id, 'BillingAccount', who.account.name),
    relatedParty: [ref(who.customer.id, 'Customer', who.customer.name, 'customer')],
    startDate: who.customer.customerSince || '2026-01-15T10:00:00.000Z',
    productCharacteristic: [
      { name: 'MSISDN', value: `+316100${pad(k, 5)}` },
      { name: 'ICCID', value: body + luhn(body) },
      { name: 'IMSI', value: `20444${pad(n, 10)}` },
      { name: 'simType', value: esim ? 'esim' : 'physical' },
    ] };
  out.products.push(doc);
  return doc;
}
function addOn(who, base, offering) {
  const doc = { id: uuid7(), productOffering: { id: offering }, status: 'active', isBundle: false,
    billingAccount: ref(who.account.id, 'BillingAccount', who.account.name),
    relatedParty: [ref(who.customer.id, 'Customer', who.customer.name, 'customer')],
    startDate: base.startDate,
    productRelationship: [{ relationshipType: 'addOnTo', product: { id: base.id, '@referredType': 'Product' } }] };
  out.products.push(doc);
  return doc;
}
const plans = { prepaid: ['po-prepaid-bundle-10', 'po-prepaid-bundle-20', 'po-prepaid-payg'],
  postpaid: ['po-postpaid-s', 'po-postpaid-m', 'po-postpaid-l'] };
const lineHolders = people.filter((p) => p.customer.status === 'active' && p.given !== 'Ruud' && p.given !== 'Jayden');
lineHolders.slice(0, 20).forEach((p, i) => {
  const l = line(p, plans[p.payment][i % 3], { esim: i % 6 === 5 });
  if (i % 4 === 1) addOn(p, l, p.payment === 'postpaid' ? 'po-addon-roaming-plus' : 'po-addon-data-1gb');
  if (i === 2) addOn(p, l, 'po-addon-international');
});
// Jayden's customer record is suspended (a fraud check): so is his line
line(P('Jayden'), 'po-prepaid-payg', { status: 'suspended' });
// a family on one shared plan: the first line holds the plan, two more share its allowances
const fam = lineHolders.find((p) => p.payment === 'postpaid' && p.given === 'Saskia') || lineHolders[20];
const head = line(fam, 'po-family-share');
for (let i = 0; i < 2; i++) {
  const member = line(fam, 'po-family-share');
  member.productRelationship = [{ relationshipType: 'sharesAllowanceOf', product: { id: head.id, '@referredType': 'Product' } }];
}
// a business customer's fleet
for (let i = 0; i < 3; i++) line(B('delta-transport'), 'po-business-unlimited');

fs.writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${OUT}: ${out.individuals.length} individuals, ${out.organizations.length} organizations, ` +
  `${out.customers.length} customers, ${out.billingAccounts.length} billing accounts, ${out.consents.length} consents, ` +
  `${out.interactions.length} interactions, ${out.troubleTickets.length} tickets, ${out.products.length} products, ${out.updates.length} updates`);
