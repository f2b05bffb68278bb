import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { demoPolicy, demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { Verbs } from '../../src/cards/verbs';
import { requestStatuses } from '../../src/contract/approvals';
import { decisionVerbs } from '../../src/contract/tasks';
import type { StaffMember } from '../../src/domain/people';
import type { Viewer } from '../../src/domain/request-permissions';
import { schoolRoles } from '../../src/domain/roles';
import { pageRefusal } from '../../src/domain/tab-pages';
import type { ServedRoute } from '../../src/server/api';
import { validForm } from '../support/forms';
import { enormous, huge, injection, markupLeak, nasty, ourApology, someString, unclear, unicodeEdge, wrongType } from '../support/fuzz';
import { Harness } from '../support/harness';
import { licenceOf, notCompared, notTheirs, stringsIn } from '../support/ownership';
import { RowChanges } from '../support/row-changes';
import { allText } from '../support/validate-card';
import { apiAs, tabApi, type ApiAnswer } from '../support/tab-api';

/**
 * Ten thousand generated calls to the tab's JSON API, spread over every route the app serves: the list
 * is the router's own table (`app.apiRoutes`, built by src/server/api/index.ts from each page's
 * *.routes.ts), so a new route is fuzzed as soon as it exists, with bodies built from the field names of
 * its own input schema. Each call is made as a demo person of some role (or signed out), with path ids,
 * query strings and bodies that are valid, nearly valid, of the wrong type, missing, huge, over the body
 * limit, edge-case Unicode, injected markup, or the ids of other people's records and of records from
 * other endpoints. Whatever arrives:
 * - no 5xx, and nothing logged as unhandled;
 * - every 4xx is JSON with a stable code and a clear message; a 400 for bad input names the field;
 * - a page someone may not use answers 403 (the domain's page rule decides who may);
 * - a refused call changes nothing; an accepted one changes only the actor's own records, or records
 *   the domain's own rules let the actor change (deciding a request waiting for them, running campaigns,
 *   publishing policies, assigning roles, confirming or handing over an account);
 * - no generated markup is live in any card the API answers with.
 *
 * Reproduce a failure with the seed fast-check prints: FC_SEED=<seed> npx vitest run tests/api/api.property.test.ts
 * (FC_RUNS=<n> makes another number of calls).
 */

const RUNS = Number(process.env.FC_RUNS ?? 10_000);
const BODY_LIMIT_BYTES = 256 * 1024;

// The per-person rate limit (TAB_API_RATE_LIMIT) raised out of the way: the property is about what each call does, and has its own test.
const h = new Harness({ env: { CONNECTOR_RATE_SCALE: '1000', TAB_API_RATE_LIMIT: '100000' } });
const { requester: ben, ictLeader: gareth, headTeacher: priya, policyAdmin: hannah } = demoPeople;
const staff = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const [v2025, v2026] = demoPolicyVersions.map((v) => v.id);

/** Ids of every kind of record, gathered from the world below: each endpoint gets the others' too. */
const pool = { request: [] as string[], account: [] as string[], etag: [] as string[], campaign: [] as string[], card: [] as string[], cursor: [] as string[] };
const tokens = new Map<string, string>();

let routes: readonly ServedRoute[] = [];

beforeAll(async () => {
  await h.start();
  routes = h.app.apiRoutes;
  const as = (p: StaffMember) => ({ id: p.id, name: p.name, staff: p });
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };
  // The world: Ben's request waiting for Gareth; Amira's request approved into the register; Chloe's returned to her;
  // a campaign for the current version; Ben's signature.
  const waiting = must(await h.app.requests.submit(as(ben), validForm()));
  const toApprove = must(await h.app.requests.submit(as(staff('Amira')), validForm({ platform: 'Facebook' })));
  must(await h.app.requests.decide(as(gareth), 'approve', { requestId: toApprove.id, step: 0, round: 1, signature: gareth.name, comment: '' }));
  must(await h.app.requests.decide(as(priya), 'approve', { requestId: toApprove.id, step: 1, round: 1, signature: priya.name, comment: '' }));
  const toReturn = must(await h.app.requests.submit(as(staff('Chloe')), validForm({ platform: 'X' })));
  must(await h.app.requests.decide(as(gareth), 'return', { requestId: toReturn.id, step: 0, round: 1, signature: gareth.name, comment: 'Name a second moderator.' }));
  pool.request.push(waiting.id, toApprove.id, toReturn.id);
  for (const p of demoStaff) tokens.set(p.id, (await tabApi(h).post('/api/dev/session', { personId: p.id })).body.token);
  const admin = await apiAs(h, hannah);
  const launched = await admin.post('/api/campaigns', { versionId: v2026, deadline: new Date(Date.now() + 21 * 86400_000).toISOString().slice(0, 10), reminderEveryDays: 7 });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  pool.campaign.push(launched.body.campaign.id);
  await h.settle();
  await h.app.declarations.recordOpen(ben.id, v2026);
  const signed = await (await apiAs(h, ben)).post(`/api/declarations/${v2026}/sign`, { typedName: ben.name, confirm: true, campaignId: launched.body.campaign.id });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  await h.settle();
  const register = await (await apiAs(h, gareth)).get('/api/register');
  for (const a of register.body.items) pool.account.push(a.id), pool.etag.push(a.etag);
  expect(pool.account.length).toBeGreaterThan(0);
  for (const path of ['/api/requests?limit=1', '/api/register?limit=1', '/api/policies?limit=1']) {
    const page = await admin.get(path);
    if (page.body?.next) pool.cursor.push(page.body.next);
  }
  for (const p of demoStaff) for (const c of (await admin.get(`/api/inboxes/${p.id}`)).body.cards ?? []) pool.card.push(c.id);
}, 120_000);
afterAll(() => h.stop());

// ---- the route table ----------------------------------------------------------------------------

/** The field names of a route's input schema (zod 4: an object, perhaps behind a pipe or a refinement). */
function fieldsOf(schema: unknown): string[] {
  let s = schema as { _zod?: { def?: any } } | undefined;
  for (let i = 0; i < 6 && s; i++) {
    const def = s._zod?.def;
    if (!def) return [];
    if (def.type === 'object') return Object.keys(def.shape);
    s = def.in ?? def.innerType ?? def.schema;
  }
  return [];
}

const paramsOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);

// ---- arbitraries --------------------------------------------------------------------------------

const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);

/** Values that look right for a field of this name, from the world's own ids where it takes an id. */
function plausible(field: string): fc.Arbitrary<unknown> {
  const people = fc.constantFrom(...demoStaff.map((s) => s.id));
  const pick = (xs: string[], fallback: string) => fc.constantFrom(...(xs.length ? xs : [fallback]));
  const anyId = fc.constantFrom(...pool.request, ...pool.account, ...pool.campaign, ...pool.card, v2025, v2026, demoPolicy.id, ...demoStaff.map((s) => s.id));
  switch (field) {
    case 'id':
    case 'requestId':
      return fc.oneof({ weight: 3, arbitrary: pick(pool.request, 'r') }, { weight: 2, arbitrary: pick(pool.campaign, 'c') }, { weight: 1, arbitrary: anyId });
    case 'accountId':
      return fc.oneof({ weight: 4, arbitrary: pick(pool.account, 'a') }, { weight: 1, arbitrary: anyId });
    case 'personId':
    case 'person':
    case 'fromId':
    case 'toId':
      return fc.oneof({ weight: 4, arbitrary: people }, { weight: 1, arbitrary: anyId });
    case 'versionId':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(v2025, v2026) }, { weight: 1, arbitrary: anyId });
    case 'campaignId':
      return fc.oneof({ weight: 4, arbitrary: pick(pool.campaign, 'c') }, { weight: 1, arbitrary: anyId });
    case 'policyId':
      return fc.oneof(fc.constant(demoPolicy.id), fc.constantFrom('policy-new', 'social-media', '__proto__'), anyId);
    case 'cardId':
      return fc.oneof(pick(pool.card, '1'), fc.integer({ min: 0, max: 10_000 }).map(String));
    case 'etag':
      return fc.oneof(pick(pool.etag, '"1"'), fc.constantFrom('"0"', '*', 'W/"1"'));
    case 'cursor':
      return fc.oneof(pick(pool.cursor, 'x'), fc.base64String({ maxLength: 40 }));
    case 'verb':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...decisionVerbs) }, { weight: 1, arbitrary: fc.constantFrom(...Object.values(Verbs)) });
    case 'step':
      return fc.integer({ min: 0, max: 1 });
    case 'round':
      return fc.integer({ min: 1, max: 2 });
    case 'limit':
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 300 }) });
    case 'signature':
    case 'typedName':
    case 'networkManagerName':
      return fc.constantFrom(...demoStaff.map((s) => s.name));
    case 'confirm':
    case 'live':
    case 'loginHeldByNetworkManager':
    case 'requireOpenBeforeSign':
    case 'dryRun':
      return fc.boolean();
    case 'attention':
      return fc.constantFrom('true', 'false');
    case 'deadline':
    case 'liveOn':
    case 'effectiveDate':
    case 'reviewDate':
    case 'since':
    case 'from':
    case 'to':
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -30, max: 60 }).map(day) }, { weight: 1, arbitrary: fc.integer({ min: -4000, max: 4000 }).map(day) }, { weight: 1, arbitrary: fc.constantFrom('2026-02-30', '2026-13-01', '99999-01-01') });
    case 'reminderEveryDays':
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 90 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) });
    case 'roles':
      return fc.subarray([...schoolRoles]);
    case 'statements':
      return fc.array(fc.oneof(fc.constant('I will keep my passwords to myself.'), someString), { minLength: 0, maxLength: 4 });
    case 'documentUrl':
      return fc.constantFrom('https://school.example/policy.pdf', 'javascript:alert(1)', 'https://evil.example/x', 'http://school.example/p', 'https://user:pw@school.example/', 'data:text/html,<script>alert(1)</script>');
    case 'audience':
      return fc.oneof(
        fc.constant({ kind: 'all' }),
        fc.record({ kind: fc.constant('departments'), departments: fc.array(fc.oneof(fc.constantFrom(...new Set(demoStaff.map((s) => s.department))), someString), { maxLength: 3 }) }),
        fc.record({ kind: fc.constant('joinedSince'), since: fc.integer({ min: -3000, max: 10 }).map(day) }),
        fc.record({ kind: fc.constant('team'), teamId: someString }),
      );
    case 'data':
      return fc.record(
        { requestId: plausible('requestId'), step: plausible('step'), round: plausible('round'), signature: plausible('signature'), comment: someString, versionId: plausible('versionId'), campaignId: plausible('campaignId'), typedName: plausible('typedName'), confirm: fc.constantFrom('true', 'false') },
        { requiredKeys: [] },
      ).map((d) => ({ ...validForm(), ...d }));
    case 'status':
      return fc.subarray([...requestStatuses, 'nope']).map((s) => s.join(','));
    case 'department':
      return fc.constantFrom(...new Set(demoStaff.map((s) => s.department)));
    case 'title':
    case 'summary':
    case 'versionLabel':
    case 'comment':
    case 'q':
      return fc.oneof(fc.constantFrom('Acceptable use', '2027-28', 'Looks good.', ''), nasty, injection, unicodeEdge);
    default:
      return someString;
  }
}

const anyValue = (field: string) =>
  fc.oneof({ weight: 8, arbitrary: plausible(field) }, { weight: 2, arbitrary: someString }, { weight: 2, arbitrary: wrongType }, { weight: 1, arbitrary: huge });

/** Fields no route takes: a password above all (the register refuses it by name), prototype keys, noise. */
const strayFields = fc.dictionary(fc.oneof(fc.constantFrom('password', 'Password', '__proto__', 'constructor', 'prototype', 'roles', 'actorId', 'requesterId', 'schoolId'), fc.string({ maxLength: 8 })), fc.oneof(someString, wrongType), { maxKeys: 2 });

/** Lone surrogates replaced, as a URL must be well-formed (String.prototype.toWellFormed, ES2024). */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** Any value as text: strings as they are, the rest as JSON (a generated object may have its own toString). */
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

/** A path segment: a plausible id, generated text (made well-formed, as a URL must be), or raw encodings a client might send. */
const segment = (param: string) =>
  fc.oneof(
    { weight: 8, arbitrary: plausible(param).map((v) => encodeURIComponent(wellFormed(text(v)))) },
    { weight: 3, arbitrary: fc.oneof(someString, wrongType).map((v) => encodeURIComponent(wellFormed(text(v)))) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', 'a%2Fb', '%C0%AF', '%uD800', ' ', '+') },
  );

interface Call {
  route: ServedRoute;
  method: string;
  path: string;
  params: Record<string, string>;
  /** Query (GET, DELETE) or body (the rest): a JSON value, or raw text that is not JSON. */
  input: unknown;
  raw?: string;
  /** Whose token signs the call; undefined for none, '' for a forged one. */
  as?: string;
}

function callOn(route: ServedRoute): fc.Arbitrary<Call> {
  const params = paramsOf(route.path);
  const fields = fieldsOf(route.input).filter((f) => !params.includes(f));
  const short = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x.slice(0, 1500) : x]));
  const some = fc.tuple(
    fc.record(Object.fromEntries(fields.map((f) => [f, anyValue(f)])), { requiredKeys: [] }),
    fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: strayFields }),
  ).map(([v, extra]) => ({ ...extra, ...v }));
  // Every field, each plausible: the calls that can succeed, and so change something.
  const complete = fc.record(Object.fromEntries(fields.map((f) => [f, plausible(f)])));
  // …and those with one field wrong or missing.
  const nearly = fields.length
    ? fc.tuple(complete, fc.constantFrom(...fields), fc.oneof(fc.constant('__delete__'), wrongType, someString)).map(([v, f, x]) => {
        const out: Record<string, unknown> = { ...v };
        if (x === '__delete__') delete out[f];
        else out[f] = x;
        return out;
      })
    : complete;
  const objects = fc.oneof({ weight: 3, arbitrary: complete }, { weight: 3, arbitrary: nearly }, { weight: 3, arbitrary: some });
  // A query string past Node's 16 KB header limit is refused before anything else reads it (431): now and
  // then that is the point, but mostly the values are kept short enough for the route itself to judge them.
  const bounded = route.method === 'get' || route.method === 'delete' ? fc.tuple(objects, fc.integer({ min: 0, max: 30 })).map(([v, n]) => (n === 0 ? v : short(v))) : objects;
  const input = fc.oneof(
    { weight: 40, arbitrary: bounded },
    { weight: 2, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant([]), fc.constant(null)) },
    { weight: 1, arbitrary: fc.tuple(some, fc.constantFrom(...(fields.length ? fields : ['text'])), enormous).map(([v, f, big]) => ({ ...v, [f]: big })) },
  );
  // Someone the route's page admits (by the demo roles) as often as anyone at all; now and then nobody, or a forged token.
  const admitted = route.page === 'any' || route.open ? demoStaff : demoStaff.filter((s) => !pageRefusal({ id: s.id, roles: s.roles }, route.page as never, { demo: true }));
  const who = fc.oneof(
    { weight: 15, arbitrary: fc.constantFrom(...(admitted.length ? admitted : demoStaff).map((s) => s.id)) },
    { weight: 15, arbitrary: fc.constantFrom(...demoStaff.map((s) => s.id)) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '') },
  );
  const method = fc.oneof({ weight: 30, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('get', 'post', 'put', 'patch', 'delete') });
  const raw = fc.oneof({ weight: 40, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('{"a":', 'not json', '{"__proto__": {"admin": true}}', '\u0000') });
  return fc
    .tuple(fc.record(Object.fromEntries(params.map((p) => [p, segment(p)]))) as fc.Arbitrary<Record<string, string>>, input, who, method, raw, fc.boolean())
    .map(([ps, generated, as, m, rawBody, ownName]) => {
      // A signature or typed name is checked against the signer's own name: mostly theirs, so that decisions and signatures can succeed.
      const me = demoStaff.find((s) => s.id === as);
      const body = ownName && me && generated && typeof generated === 'object' && !Array.isArray(generated) ? Object.fromEntries(Object.entries(generated).map(([k, v]) => [k, ['signature', 'typedName'].includes(k) && typeof v === 'string' ? me.name : v])) : generated;
      const c: Call = {
        route,
        method: m,
        path: `/api${route.path.replace(/:(\w+)/g, (_, p: string) => ps[p])}`,
        params: ps,
        input: body,
        ...(rawBody && m !== 'get' && m !== 'delete' ? { raw: rawBody } : {}),
        as,
      };
      // A counterexample prints as the request it is, not as the route's schema.
      return Object.assign(c, { [fc.toStringMethod]: () => `${m.toUpperCase()} ${c.path} as ${as === undefined ? 'nobody' : as || 'a forged token'} with ${c.raw !== undefined ? JSON.stringify(c.raw) : JSON.stringify(body)?.slice(0, 2000)}` });
    });
}

/** A GET's or DELETE's input as a query string: repeated keys for lists, JSON for other non-strings. */
function query(input: unknown): string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input === null || input === undefined ? '' : `?${encodeURIComponent(wellFormed(text(input)))}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(input)) {
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, typeof one === 'string' ? one : JSON.stringify(one) ?? '');
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function send(c: Call): Promise<ApiAnswer & { bytes: number }> {
  const auth = c.as === undefined ? undefined : c.as === '' ? 'Bearer forged.token.value' : `Bearer ${tokens.get(c.as)}`;
  const api = tabApi(h, auth);
  if (c.method === 'get' || c.method === 'delete') return { ...(await api[c.method](`${c.path}${query(c.input)}`)), bytes: 0 };
  const body = c.raw ?? JSON.stringify(c.input ?? null);
  return { ...(await api[c.method as 'post'](c.path, body)), bytes: Buffer.byteLength(body) };
}

// ---- the oracle ---------------------------------------------------------------------------------

/** Every string in a call's path ids and input: the records the call may name. */
function namedIds(c: Call): Set<string> {
  const out = stringsIn(c.input);
  for (const v of Object.values(c.params)) {
    const id = safeDecode(v);
    if (id) out.add(id);
  }
  return out;
}

/** Every Adaptive Card inside a JSON answer. */
function cardsIn(v: unknown, out: unknown[] = []): unknown[] {
  if (!v || typeof v !== 'object') return out;
  if ((v as { type?: unknown }).type === 'AdaptiveCard') out.push(v);
  else for (const x of Object.values(v)) cardsIn(x, out);
  return out;
}

/** Why an answer breaks the property (undefined when it holds). */
function judge(c: Call, res: ApiAnswer & { bytes: number }, viewer: Viewer | undefined): string | undefined {
  if (res.status >= 500) return `answered ${res.status}: ${JSON.stringify(res.body)?.slice(0, 300)}`;
  const signedIn = !!viewer;
  // Over the body limit: refused, as 413, or earlier by what is checked before the body is read (sign-in, an
  // address too long or malformed, a path no route has).
  if (res.bytes > BODY_LIMIT_BYTES && res.status < 400) return `a body of ${res.bytes} bytes was accepted (${res.status})`;
  if (res.bytes > BODY_LIMIT_BYTES && res.status !== 413 && ![401, 404, 431].includes(res.status) && res.body?.error !== 'REQUEST.MALFORMED_PATH') return `a body of ${res.bytes} bytes answered ${res.status}, not 413`;
  if (res.status >= 400) {
    const b = res.body as { error?: unknown; message?: unknown; field?: unknown } | undefined;
    if (!b || typeof b !== 'object' || typeof b.error !== 'string') return `a ${res.status} that is not a JSON error with a code: ${JSON.stringify(res.body)?.slice(0, 300)}`;
    const why = unclear(b.message);
    if (why) return `a ${res.status} ${b.error}: ${why}`;
    if (b.error === 'API.INVALID_INPUT') {
      if (typeof b.field !== 'string' || !b.field) return `a 400 for bad input that names no field: ${JSON.stringify(b)}`;
      if (!String(b.message).startsWith(b.field)) return `a 400 whose message does not start with its field ${b.field}: ${JSON.stringify(b.message)}`;
    }
  }
  // The page rule (src/domain/tab-pages.ts) comes before anything the route does.
  const parseRefusal = res.status === 413 || res.status === 431 || (res.status === 400 && /^REQUEST\./.test(String(res.body?.error)));
  const onRoute = c.method === c.route.method && !c.route.open && c.route.page !== 'any';
  if (signedIn && onRoute && !parseRefusal && pageRefusal(viewer, c.route.page as never, { demo: true }) && res.status !== 403 && res.body?.error !== 'API.NOT_FOUND') {
    return `${c.route.method.toUpperCase()} ${c.route.path} is not for this person's roles (${(viewer.roles ?? []).join(',') || 'none'}) but answered ${res.status}`;
  }
  if (res.status < 300) {
    for (const card of cardsIn(res.body)) {
      const text = allText(card);
      if (ourApology.test(text)) return `a card reports a failure: ${text.slice(0, 300)}`;
      const leak = markupLeak(card);
      if (leak) return `generated markup is live in a card: ${leak}`;
    }
  }
  return undefined;
}

// ---- the property -------------------------------------------------------------------------------

test(`${RUNS} generated calls across every route of the tab API: no 5xx, clear refusals, the page rule, no change to others' records`, async () => {
  expect(routes.length).toBeGreaterThan(20);
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x100000000);
  const byRoute = new Map<string, Map<string, number>>();
  const rows = new RowChanges((h.app.store as SqliteStore).db, { ignore: notCompared });
  const call = fc.oneof(...routes.map((r) => callOn(r)));
  const started = Date.now();
  try {
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        // Embedded mode's demo inboxes press a card's button as the inbox's owner: that person is the actor.
        const actsAs = c.route.path.startsWith('/inboxes/:personId/') && c.method === c.route.method ? safeDecode(c.params.personId) : c.as;
        const viewerOf = async (id: string | undefined) => {
          const s = id ? await h.app.store.getStaff(id) : undefined;
          return s ? { id: s.id, roles: s.roles } : undefined;
        };
        const viewer = c.as ? await viewerOf(c.as) : undefined;
        const actor = c.as ? await viewerOf(actsAs) : undefined;
        const licence = actor ? await licenceOf(h.app.store, actor, namedIds(c)) : undefined;
        rows.take();
        const logsBefore = h.logs.length;
        const res = await send(c);
        const key = `${c.route.method.toUpperCase()} ${c.route.path}`;
        const counts = byRoute.get(key) ?? new Map<string, number>();
        // A call made with another method than the route's is counted apart (marked *): it is the router's 404 or another route.
        const status = `${res.status}${c.method === c.route.method ? '' : '*'}`;
        counts.set(status, (counts.get(status) ?? 0) + 1);
        byRoute.set(key, counts);
        await h.settle();
        const failed = judge(c, res, viewer);
        if (failed) throw new Error(failed);
        const logged = h.logs.slice(logsBefore).filter((l) => /^(turn failed|unhandled)|^request \S+: .* failed: /.test(l));
        if (logged.length) throw new Error(`the server logged: ${logged.join(' | ').slice(0, 500)}`);
        const changed = rows.take();
        if (res.status >= 400 && changed.length) throw new Error(`a refused call (${res.status}) changed records:\n${notTheirs(changed, undefined, undefined)}`);
        const others = notTheirs(changed, actor?.id, licence);
        if (others) throw new Error(`records the actor (${actor?.id ?? 'nobody'}) may not change were changed (${res.status}):\n${others}`);
      }),
      { numRuns: RUNS, seed },
    );
  } finally {
    rows.stop();
    const fieldsByRoute = new Map(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, fieldsOf(r.input)]));
    const summary = [...byRoute].sort().map(([k, v]) => `${k} [${(fieldsByRoute.get(k) ?? []).join(' ')}] ${JSON.stringify(Object.fromEntries([...v].sort()))}`);
    console.log(`property seed ${seed} (FC_SEED=${seed} reproduces); ${RUNS} calls over ${routes.length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s\n${summary.join('\n')}`);
  }
  // Every route was reached, and the run saw both sides: accepted calls and refused ones.
  expect(byRoute.size).toBe(routes.length);
  const all = [...byRoute.values()].flatMap((m) => [...m.keys()].map((k) => parseInt(k, 10)));
  expect(all.some((s) => s < 300)).toBe(true);
  expect(all.some((s) => s === 400)).toBe(true);
  expect(all.some((s) => s === 403)).toBe(true);
  if (RUNS >= 5_000) expect(all.some((s) => s === 413)).toBe(true);
  expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
}, 900_000);

function safeDecode(s: string | undefined): string | undefined {
  try {
    return s === undefined ? undefined : decodeURIComponent(s).trim();
  } catch {
    return undefined;
  }
}
