/**
 * A local Microsoft Graph-compatible server for SharePoint lists, for tests.
 *
 * Shapes follow the Graph v1.0 reference (learn.microsoft.com/graph/api/...):
 *   site-getbypath, site-get, list-list, list-get, list-create, list-post-columns,
 *   columndefinition-update, listitem-list, listitem-get, listitem-create,
 *   listitem-update, listitem-delete, and /graph/json-batching.
 * SharePoint behaviour it reproduces: the list view threshold, throttling (429 + Retry-After),
 * transient 503/504, server-driven paging (@odata.nextLink) and eTag concurrency (412).
 * It can also lose the reply to a write it has executed (the write landed; the caller sees 503/504
 * or a dropped connection), as a gateway that times out in front of a slow backend does.
 */
import express from 'express';
import type { NextFunction, Request as ExRequest, Response as ExResponse } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { LocalDirectory } from './graph-directory';
import type { TeamsTenant } from './teams-tenant';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type FaultStatus = 429 | 503 | 504;

export interface LocalGraphServerOptions {
  /** Random or bursty 429s. `burst`: of every `every` eligible requests, the last `length` are throttled. */
  throttle?: {
    rate?: number;
    burst?: { every: number; length: number };
    retryAfterSeconds?: number;
    /** Once throttled, answer 429 to everything until Retry-After has passed (SharePoint keeps throttling callers that do not wait). */
    sticky?: boolean;
  };
  /** Random transient failures. */
  failures?: { rate: number; status: 503 | 504; retryAfterSeconds?: number };
  /**
   * Lost replies: after executing a write (a top-level POST/PATCH/DELETE that succeeded, a whole
   * `$batch` envelope, or one write inside a batch), answer as if the reply never arrived: 503/504
   * (Retry-After 0 unless given) or, at top level only, a dropped connection. The write has landed.
   * Scope 'top' covers plain requests and batch envelopes, 'inner' single writes inside a batch.
   */
  lostReplies?: LostReplySpec & { rate: number };
  /** Seed for the mulberry32 PRNG that drives every random choice. */
  seed?: number;
  /** Server-driven page size for items (Graph's default for list items is 200). */
  pageSize?: number;
  /** List view threshold (SharePoint Online: 5,000). */
  threshold?: number;
  /** Delay added to every top-level response. */
  latencyMs?: number;
  /**
   * Graph's own rule (microsoftgraph/microsoft-graph-docs#2279): a $filter/$orderby on a non-indexed
   * field is refused at ANY list size unless the caller sends
   * `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`. Off by default: then such queries work
   * below `threshold` and are refused above it.
   */
  strictIndexing?: boolean;
  /** json-batching: "Individual responses might appear in a different order than the requests." Default true. */
  shuffleBatchResponses?: boolean;
  /** Sites to create on start. Default: contoso.sharepoint.com/sites/larkfield. */
  sites?: Array<{ hostname: string; path: string; id?: string; displayName?: string }>;
  /** Clock for createdDateTime/lastModifiedDateTime. */
  now?: () => Date;
  /**
   * Teams through Graph: the tenant's people, its app catalog and each person's installed apps
   * (shared with the fake Bot Connector), served as /users/{id}/teamwork/installedApps and
   * /appCatalogs/teamsApps. Limits: Graph's Teams service limits per app per tenant, GET installedApps
   * and appCatalogs 30 rps, POST installedApps 30 rps (learn.microsoft.com, "Microsoft Graph
   * service-specific throttling limits"); `scale` multiplies both, as the connector's does.
   */
  teams?: { tenant: TeamsTenant; limits?: { readsPerSecond: number; writesPerSecond: number }; scale?: number };
}

export interface GraphServerStats {
  /** Top-level HTTP requests, batch envelopes included. */
  requests: number;
  /** Requests executed inside $batch envelopes. */
  innerRequests: number;
  /** Top-level requests by kind, e.g. 'items.get', 'items.post', 'items.patch', 'batch', 'lists.post'. */
  byKind: Record<string, number>;
  /** Inner batch requests by kind. */
  innerByKind: Record<string, number>;
  /** Top-level requests by what they touch: "items.get CS_Jobs", or a batch as "batch[items.patch CS_Jobs ×3, …]". For benchmarks that explain a count. */
  byTarget: Record<string, number>;
  /** Status counters cover top-level and inner requests alike. */
  status429: number;
  status503: number;
  status504: number;
  status412: number;
  status401: number;
  /** Items queries refused for touching a non-indexed column. */
  thresholdRefused: number;
  /** Items queries that carried Prefer: HonorNonIndexedQueriesWarningMayFailRandomly. */
  honorNonIndexedUsed: number;
  /** Requests that carried the Graph client's Retry-Attempt header. */
  retryAttemptsSeen: number;
  /** Requests that arrived before the last Retry-After had passed. */
  earlyRetries: number;
  /** Size of every $batch envelope received. */
  batchSizes: number[];
  /** Writes executed whose reply was then lost (503/504 instead, or the connection dropped). */
  lostReplies: number;
}

export interface LostReplySpec {
  /** What the caller sees instead of the reply; one is picked at random. Default [504]. 'drop' is top-level only. */
  as?: Array<503 | 504 | 'drop'>;
  /** 'top' = plain requests and whole $batch envelopes, 'inner' = single writes inside a $batch. Default 'any'. */
  scope?: 'top' | 'inner' | 'any';
  /** Only requests of this kind, e.g. 'items.patch' or 'batch'. */
  kind?: string;
  /**
   * Writes whose replies are never lost, by list display name and optionally kind (e.g. a component known
   * not to cope yet); a $batch envelope holding one of them is not lost either.
   */
  except?: Array<{ list: string; kind?: string }>;
  retryAfterSeconds?: number;
}

export interface FaultSpec {
  status: FaultStatus;
  retryAfterSeconds?: number;
  /** 'top' = plain HTTP requests, 'inner' = requests inside a $batch. Default 'any'. */
  scope?: 'top' | 'inner' | 'any';
  /** Only requests of this kind, e.g. 'items.post'. */
  kind?: string;
}

export interface SeededItem {
  id: string;
  eTag: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  fields: Record<string, unknown>;
}

export const DEFAULT_SITE = {
  hostname: 'contoso.sharepoint.com',
  path: '/sites/larkfield',
  id: 'contoso.sharepoint.com,11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222',
  displayName: 'Larkfield',
} as const;

/** listitem-list: "Prefer: HonorNonIndexedQueriesWarningMayFailRandomly" lets a query use non-indexed fields. */
export const HONOR_NON_INDEXED = 'HonorNonIndexedQueriesWarningMayFailRandomly';

// ---------------------------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------------------------

type ColumnType = 'text' | 'choice' | 'dateTime' | 'number' | 'currency' | 'boolean' | 'personOrGroup' | 'lookup';
const COLUMN_TYPES: ColumnType[] = ['text', 'choice', 'dateTime', 'number', 'currency', 'boolean', 'personOrGroup', 'lookup'];

interface ColumnRec {
  id: string;
  name: string;
  displayName: string;
  description: string;
  type: ColumnType;
  facet: Record<string, unknown>;
  indexed: boolean;
  required: boolean;
  hidden: boolean;
  readOnly: boolean;
  enforceUniqueValues: boolean;
  columnGroup: string;
}

interface ItemRec {
  id: number;
  uid: string;
  version: number;
  created: string;
  modified: string;
  fields: Record<string, unknown>;
}

interface ListRec {
  id: string;
  name: string;
  displayName: string;
  description: string;
  template: string;
  created: string;
  modified: string;
  columns: ColumnRec[];
  items: Map<number, ItemRec>;
  nextItemId: number;
}

interface SiteRec {
  id: string;
  hostname: string;
  path: string;
  displayName: string;
  created: string;
  lists: Map<string, ListRec>;
}

interface Ctx {
  method: string;
  /** Path below /v1.0, raw (not decoded), starting with '/'. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
  inner: boolean;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface Route {
  kind: string;
  run: () => Reply;
}

class GraphFail extends Error {
  constructor(readonly reply: Reply) {
    super(String((reply.body as { error?: { message?: string } })?.error?.message ?? reply.status));
  }
}

const JSON_HEADERS = (): Record<string, string> => ({ 'Content-Type': 'application/json' });

function graphError(status: number, code: string, message: string, extra: { headers?: Record<string, string>; innerCode?: string } = {}): Reply {
  const innerError: Record<string, unknown> = { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() };
  if (extra.innerCode) innerError.code = extra.innerCode;
  return { status, headers: { ...JSON_HEADERS(), ...(extra.headers ?? {}) }, body: { error: { code, message, innerError } } };
}

function fail(status: number, code: string, message: string, extra?: { headers?: Record<string, string>; innerCode?: string }): never {
  throw new GraphFail(graphError(status, code, message, extra));
}

function ok(status: number, body?: unknown, headers: Record<string, string> = {}): Reply {
  return body === undefined ? { status, headers } : { status, headers: { ...JSON_HEADERS(), ...headers }, body };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Graph returns timestamps without fractions, e.g. "2016-09-20T06:15:25Z" (resources/sharepoint). */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function emptyStats(): GraphServerStats {
  return {
    requests: 0, innerRequests: 0, byKind: {}, innerByKind: {}, byTarget: {},
    status429: 0, status503: 0, status504: 0, status412: 0, status401: 0,
    thresholdRefused: 0, honorNonIndexedUsed: 0, retryAttemptsSeen: 0, earlyRetries: 0, batchSizes: [], lostReplies: 0,
  };
}

// SharePoint limits: single line of text holds 255 characters, multiple lines 63,999
// (support.microsoft.com "List and library column types and options"). Message wording is ours.
const SINGLE_LINE_MAX = 255;
const MULTI_LINE_MAX = 63_999;

// Fields every genericList item has; read-only to callers.
const SYSTEM_FIELDS = new Set(['id', 'ID', 'Created', 'Modified', 'Author', 'Editor', 'AuthorLookupId', 'EditorLookupId', 'ContentType', '_UIVersionString', 'Attachments', 'Edit', 'LinkTitle', 'LinkTitleNoMenu', 'ItemChildCount', 'FolderChildCount', '@odata.etag']);

// ---------------------------------------------------------------------------------------------
// OData $filter / $orderby
// ---------------------------------------------------------------------------------------------

type Lit = { k: 'str'; v: string } | { k: 'num'; v: number } | { k: 'bool'; v: boolean } | { k: 'null' } | { k: 'date'; v: string };
type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type Expr =
  | { t: 'and' | 'or'; l: Expr; r: Expr }
  | { t: 'not'; e: Expr }
  | { t: 'cmp'; op: CmpOp; path: string; lit: Lit }
  | { t: 'startswith'; path: string; lit: Lit };

type Tok = { k: 'punc'; v: '(' | ')' | ',' } | { k: 'str'; v: string } | { k: 'num'; v: number } | { k: 'date'; v: string } | { k: 'word'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ k: 'punc', v: c }); i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; } // OData escapes ' as ''
          i++;
          break;
        }
        s += src[i]; i++;
      }
      out.push({ k: 'str', v: s });
      continue;
    }
    const rest = src.slice(i);
    const date = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(rest);
    if (date && date[0].length > 4) { out.push({ k: 'date', v: date[0] }); i += date[0].length; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) { out.push({ k: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const word = /^[A-Za-z_$@][\w/.$@]*/.exec(rest);
    if (word) { out.push({ k: 'word', v: word[0] }); i += word[0].length; continue; }
    throw new Error(`unexpected character '${c}'`);
  }
  return out;
}

function parseFilter(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peekWord = (w: string) => toks[p]?.k === 'word' && (toks[p] as { v: string }).v.toLowerCase() === w;
  const expectPunc = (v: string) => {
    const t = toks[p];
    if (!t || t.k !== 'punc' || t.v !== v) throw new Error(`expected '${v}'`);
    p++;
  };
  const literal = (): Lit => {
    const t = toks[p++];
    if (!t) throw new Error('expected a literal');
    if (t.k === 'str') return { k: 'str', v: t.v };
    if (t.k === 'num') return { k: 'num', v: t.v };
    if (t.k === 'date') return { k: 'date', v: t.v };
    if (t.k === 'word') {
      const w = t.v.toLowerCase();
      if (w === 'true' || w === 'false') return { k: 'bool', v: w === 'true' };
      if (w === 'null') return { k: 'null' };
      if (w === 'datetime' && toks[p]?.k === 'str') return { k: 'date', v: (toks[p++] as { v: string }).v };
    }
    throw new Error('expected a literal');
  };
  const operand = (): string => {
    const t = toks[p++];
    if (!t || t.k !== 'word') throw new Error('expected a property');
    return t.v;
  };
  const primary = (): Expr => {
    if (peekWord('not')) { p++; return { t: 'not', e: primary() }; }
    const t = toks[p];
    if (t?.k === 'punc' && t.v === '(') { p++; const e = orExpr(); expectPunc(')'); return e; }
    if (peekWord('startswith')) {
      p++; expectPunc('(');
      const path = operand(); expectPunc(',');
      const lit = literal(); expectPunc(')');
      return { t: 'startswith', path, lit };
    }
    const path = operand();
    const opTok = toks[p++];
    const op = opTok?.k === 'word' ? opTok.v.toLowerCase() : '';
    if (!['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op)) throw new Error('expected a comparison operator');
    return { t: 'cmp', op: op as CmpOp, path, lit: literal() };
  };
  const andExpr = (): Expr => {
    let l = primary();
    while (peekWord('and')) { p++; l = { t: 'and', l, r: primary() }; }
    return l;
  };
  const orExpr = (): Expr => {
    let l = andExpr();
    while (peekWord('or')) { p++; l = { t: 'or', l, r: andExpr() }; }
    return l;
  };
  const e = orExpr();
  if (p !== toks.length) throw new Error('unexpected trailing tokens');
  return e;
}

function exprPaths(e: Expr, acc: string[] = []): string[] {
  switch (e.t) {
    case 'and': case 'or': exprPaths(e.l, acc); exprPaths(e.r, acc); break;
    case 'not': exprPaths(e.e, acc); break;
    default: acc.push(e.path);
  }
  return acc;
}

type Kind = 'num' | 'date' | 'bool' | 'str' | 'id';

/** Normalise a value for comparison. SharePoint compares text case-insensitively (its collation is *_CI_*). */
function norm(v: unknown, kind: Kind): number | string | boolean | null {
  if (v === undefined || v === null || v === '') return null;
  switch (kind) {
    case 'id':
    case 'num': { const n = Number(v); return Number.isNaN(n) ? null : n; }
    case 'date': { const t = Date.parse(String(v)); return Number.isNaN(t) ? null : t; }
    case 'bool': return v === true || v === 1 || v === '1' || String(v).toLowerCase() === 'true';
    default: return String(v).toLowerCase();
  }
}

function litValue(l: Lit): unknown {
  return l.k === 'null' ? null : l.v;
}

function compare(a: number | string | boolean, b: number | string | boolean): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function evalCmp(op: CmpOp, left: unknown, right: unknown, kind: Kind): boolean {
  const a = norm(left, kind);
  const b = norm(right, kind);
  if (b === null) return op === 'eq' ? a === null : op === 'ne' ? a !== null : false;
  if (a === null) return op === 'ne';
  const c = compare(a, b);
  switch (op) {
    case 'eq': return c === 0;
    case 'ne': return c !== 0;
    case 'lt': return c < 0;
    case 'le': return c <= 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
  }
}

interface Resolver {
  value(path: string): unknown;
  kind(path: string, lit: Lit): Kind;
}

function evaluate(e: Expr, r: Resolver): boolean {
  switch (e.t) {
    case 'and': return evaluate(e.l, r) && evaluate(e.r, r);
    case 'or': return evaluate(e.l, r) || evaluate(e.r, r);
    case 'not': return !evaluate(e.e, r);
    case 'startswith': {
      const v = r.value(e.path);
      return v !== undefined && v !== null && String(v).toLowerCase().startsWith(String(litValue(e.lit) ?? '').toLowerCase());
    }
    case 'cmp': return evalCmp(e.op, r.value(e.path), litValue(e.lit), r.kind(e.path, e.lit));
  }
}

function litKind(l: Lit): Kind {
  return l.k === 'num' ? 'num' : l.k === 'date' ? 'date' : l.k === 'bool' ? 'bool' : 'str';
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

export class LocalGraphServer {
  stats: GraphServerStats = emptyStats();
  /** Users, groups and their change tracking (graph-directory.ts): the roster sync's side of Graph. */
  readonly directory = new LocalDirectory(() => this.base);
  private opts: LocalGraphServerOptions;
  private sites = new Map<string, SiteRec>();
  private rand: () => number;
  private shuffleRand: () => number;
  private eligibleCount = 0;
  private throttledUntil = 0;
  private faultQueue: Array<FaultSpec & { remaining: number }> = [];
  private loseQueue: Array<LostReplySpec & { remaining: number }> = [];
  private loseRand: () => number;
  private server?: Server;
  private base = '';

  constructor(options: LocalGraphServerOptions = {}) {
    this.opts = { ...options };
    const seed = options.seed ?? 1;
    this.rand = mulberry32(seed);
    this.shuffleRand = mulberry32(seed ^ 0x5bd1e995);
    // Its own stream, so turning lost replies on does not change which requests are throttled.
    this.loseRand = mulberry32(seed ^ 0x27d4eb2f);
    for (const s of options.sites ?? [DEFAULT_SITE]) this.addSite(s);
  }

  // ----- lifecycle -----

  async start(): Promise<string> {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '10mb' }));
    app.use((req: ExRequest, res: ExResponse) => { void this.handleTop(req, res); });
    // Express's JSON parser throws on malformed bodies: answer as Graph does, with a 400 error body.
    app.use((err: unknown, _req: ExRequest, res: ExResponse, _next: NextFunction) => {
      void _next;
      const r = graphError(400, 'BadRequest', `Unable to read JSON request payload: ${(err as Error)?.message ?? err}`);
      res.status(r.status).set(r.headers).json(r.body);
    });
    await new Promise<void>((resolve, reject) => {
      const srv = app.listen(0, '127.0.0.1', () => resolve());
      srv.once('error', reject);
      this.server = srv;
    });
    const port = (this.server!.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (!srv) return;
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  get baseUrl(): string {
    return this.base;
  }

  /** Change options on a running server (e.g. turn throttling on for one test). */
  configure(patch: Partial<LocalGraphServerOptions>): void {
    Object.assign(this.opts, patch);
    if (patch.seed !== undefined) {
      this.rand = mulberry32(patch.seed);
      this.shuffleRand = mulberry32(patch.seed ^ 0x5bd1e995);
      this.loseRand = mulberry32(patch.seed ^ 0x27d4eb2f);
      this.eligibleCount = 0;
    }
    if ('throttle' in patch || 'failures' in patch) this.throttledUntil = 0;
  }

  resetStats(): void {
    this.stats = emptyStats();
  }

  /** Answer the next `count` matching requests with `fault.status`, regardless of rates. */
  failNext(count: number, fault: FaultSpec): void {
    this.faultQueue.push({ ...fault, remaining: count });
  }

  /** Forgets every fault queued by failNext and loseNextReplies. */
  clearFaults(): void {
    this.faultQueue = [];
    this.loseQueue = [];
  }

  /** Execute the next `count` matching writes, then lose their replies, regardless of rates. */
  loseNextReplies(count: number, spec: LostReplySpec = {}): void {
    this.loseQueue.push({ ...spec, remaining: count });
  }

  // ----- test helpers (bypass HTTP) -----

  /**
   * Bulk insert: each row is a fields object, validated as a POST would be. Rows may also set
   * `Created`/`Modified` (ISO strings), which HTTP callers cannot, to seed old records. Returns the new ids.
   */
  seedItems(siteId: string, listName: string, rows: Array<Record<string, unknown>>): string[] {
    const list = this.findListOrThrow(siteId, listName);
    const ids: string[] = [];
    try {
      for (const { Created, Modified, ...row } of rows) {
        const it = this.insertItem(list, row);
        if (typeof Created === 'string') it.created = isoSeconds(new Date(Created));
        if (typeof Modified === 'string') it.modified = isoSeconds(new Date(Modified));
        else if (typeof Created === 'string') it.modified = it.created;
        ids.push(String(it.id));
      }
    } catch (e) {
      if (e instanceof GraphFail) throw new Error(`seedItems: ${e.message}`);
      throw e;
    }
    return ids;
  }

  /** Every item of a list, in id order, with all field values. */
  listItems(siteId: string, listName: string): SeededItem[] {
    const list = this.findListOrThrow(siteId, listName);
    return [...list.items.values()].map((it) => ({
      id: String(it.id),
      eTag: this.etag(it),
      createdDateTime: it.created,
      lastModifiedDateTime: it.modified,
      fields: this.fieldsOut(it, undefined),
    }));
  }

  /** Column names and whether each is indexed. */
  listColumns(siteId: string, listName: string): Array<{ name: string; indexed: boolean; type: string }> {
    return this.findListOrThrow(siteId, listName).columns.map((c) => ({ name: c.name, indexed: c.indexed, type: c.type }));
  }

  // ----- top-level HTTP -----

  private async handleTop(req: ExRequest, res: ExResponse): Promise<void> {
    const url = new URL(req.originalUrl, 'http://local');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    this.stats.requests++;
    if (headers['retry-attempt']) this.stats.retryAttemptsSeen++;
    if (Date.now() < this.throttledUntil) this.stats.earlyRetries++;

    let reply: Reply;
    if (!url.pathname.startsWith('/v1.0/')) {
      this.bump(this.stats.byKind, 'unknown');
      reply = graphError(400, 'BadRequest', `Invalid version: ${url.pathname.split('/')[1] ?? ''}`);
    } else {
      const ctx: Ctx = { method: req.method.toUpperCase(), path: url.pathname.slice('/v1.0'.length), query: url.searchParams, headers, body: req.body as unknown, inner: false };
      const isBatch = ctx.path === '/$batch';
      const route = isBatch ? undefined : this.route(ctx);
      this.bump(this.stats.byKind, isBatch ? 'batch' : route!.kind);
      this.bump(this.stats.byTarget, isBatch ? this.batchTarget(ctx) : `${route!.kind} ${this.listNameOf(ctx.path) ?? ''}`.trim());
      if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
      if (!/^Bearer\s+\S+/i.test(headers.authorization ?? '')) {
        // Graph's answer to a request without a token.
        reply = graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      } else if (isBatch) {
        reply = this.runBatch(ctx);
      } else {
        reply = this.maybeFault(route!.kind, 'top') ?? this.exec(route!);
      }
      const write = isBatch ? reply.status === 200 : ctx.method !== 'GET' && reply.status >= 200 && reply.status < 300;
      const lost = write ? this.maybeLose(isBatch ? 'batch' : route!.kind, 'top', () => (isBatch ? this.batchWrites(ctx) : [{ list: this.listNameOf(ctx.path), kind: route!.kind }])) : undefined;
      if (lost === 'drop') {
        // The write is done; the caller never hears of it.
        this.stats.lostReplies++;
        res.socket?.destroy();
        return;
      }
      if (lost) {
        this.stats.lostReplies++;
        reply = lost;
      }
    }
    this.count(reply.status);
    res.status(reply.status);
    res.set('request-id', randomUUID());
    if (headers['client-request-id']) res.set('client-request-id', headers['client-request-id']);
    for (const [k, v] of Object.entries(reply.headers)) res.set(k, v);
    if (reply.body === undefined) res.end();
    else res.send(JSON.stringify(reply.body));
  }

  private exec(route: Route): Reply {
    try {
      return route.run();
    } catch (e) {
      if (e instanceof GraphFail) return e.reply;
      return graphError(500, 'generalException', `General exception while processing: ${(e as Error).message}`);
    }
  }

  private bump(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  private count(status: number): void {
    if (status === 429) this.stats.status429++;
    else if (status === 503) this.stats.status503++;
    else if (status === 504) this.stats.status504++;
    else if (status === 412) this.stats.status412++;
    else if (status === 401) this.stats.status401++;
  }

  // ----- faults -----

  private maybeFault(kind: string, scope: 'top' | 'inner'): Reply | undefined {
    const queued = this.faultQueue.find((f) => f.remaining > 0 && (f.scope ?? 'any') !== (scope === 'top' ? 'inner' : 'top') && (!f.kind || f.kind === kind));
    if (queued) {
      queued.remaining--;
      this.faultQueue = this.faultQueue.filter((f) => f.remaining > 0);
      return this.faultReply(queued.status, queued.retryAfterSeconds ?? this.opts.throttle?.retryAfterSeconds ?? 1);
    }
    const th = this.opts.throttle;
    const fl = this.opts.failures;
    if (!th && !fl) return undefined;
    const retryAfter = th?.retryAfterSeconds ?? 1;
    if (th?.sticky && Date.now() < this.throttledUntil) {
      return this.faultReply(429, Math.max(1, Math.ceil((this.throttledUntil - Date.now()) / 1000)));
    }
    const n = this.eligibleCount++;
    if (th?.burst && th.burst.every > 0 && n % th.burst.every >= th.burst.every - th.burst.length) return this.faultReply(429, retryAfter);
    if (th?.rate && this.rand() < th.rate) return this.faultReply(429, retryAfter);
    if (fl && fl.rate > 0 && this.rand() < fl.rate) return this.faultReply(fl.status, fl.retryAfterSeconds ?? retryAfter);
    return undefined;
  }

  /** After a write has run: the reply to send instead of its own, or 'drop', or undefined to answer normally. */
  private maybeLose(kind: string, scope: 'top' | 'inner', writes: () => Array<{ list?: string; kind: string }>): Reply | 'drop' | undefined {
    if (!this.loseQueue.length && !this.opts.lostReplies) return undefined;
    const spared = (f: LostReplySpec) =>
      (f.except ?? []).some((x) => writes().some((t) => t.list?.toLowerCase() === x.list.toLowerCase() && (!x.kind || x.kind === t.kind)));
    const fits = (f: LostReplySpec) => (f.scope ?? 'any') !== (scope === 'top' ? 'inner' : 'top') && (!f.kind || f.kind === kind) && !spared(f);
    let spec: LostReplySpec | undefined = this.loseQueue.find((f) => f.remaining > 0 && fits(f));
    if (spec) {
      (spec as { remaining: number }).remaining--;
      this.loseQueue = this.loseQueue.filter((f) => f.remaining > 0);
    } else {
      const lr = this.opts.lostReplies;
      if (!lr || !(lr.rate > 0) || !fits(lr) || this.loseRand() >= lr.rate) return undefined;
      spec = lr;
    }
    const choices = (spec.as ?? [504]).filter((a) => scope === 'top' || a !== 'drop');
    if (!choices.length) return undefined;
    const pick = choices[Math.floor(this.loseRand() * choices.length)]!;
    if (pick === 'drop') return 'drop';
    const headers = { 'Retry-After': String(spec.retryAfterSeconds ?? 0) };
    return pick === 503
      ? graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.', { headers })
      : graphError(504, 'gatewayTimeout', 'The gateway timed out waiting for the service.', { headers });
  }

  /** The display name of the list a request path points into, if any. */
  private listNameOf(path: string): string | undefined {
    const segs = path.split('/').map((x) => decodeURIComponent(x));
    const i = segs.indexOf('lists');
    const ref = i >= 0 ? segs[i + 1]?.toLowerCase() : undefined;
    if (!ref) return undefined;
    for (const site of this.sites.values()) {
      const l = site.lists.get(ref) ?? [...site.lists.values()].find((x) => x.displayName.toLowerCase() === ref || x.name.toLowerCase() === ref);
      if (l) return l.displayName;
    }
    return undefined;
  }

  /** The writes inside a $batch envelope, by list and kind. */
  private batchTarget(ctx: Ctx): string {
    const reqs = (ctx.body as { requests?: Array<{ method?: string; url?: string }> })?.requests;
    if (!Array.isArray(reqs)) return 'batch[?]';
    const parts = new Map<string, number>();
    for (const r of reqs) {
      const path = String(r.url ?? '').split('?')[0];
      const key = `${String(r.method ?? '').toUpperCase()} ${this.listNameOf(path.startsWith('/') ? path : `/${path}`) ?? path}`;
      parts.set(key, (parts.get(key) ?? 0) + 1);
    }
    return `batch[${[...parts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ')}]`;
  }

  private batchWrites(ctx: Ctx): Array<{ list?: string; kind: string }> {
    const reqs = (ctx.body as { requests?: Array<{ method?: string; url?: string }> })?.requests ?? [];
    return reqs
      .filter((r) => typeof r?.url === 'string' && typeof r.method === 'string' && r.method.toUpperCase() !== 'GET')
      .map((r) => {
        const path = '/' + r.url!.trim().replace(/^\//, '').replace(/^(v1\.0|beta)\//, '').replace(/\?.*$/, '');
        const m = r.method!.toUpperCase();
        return { list: this.listNameOf(path), kind: m === 'POST' ? 'items.post' : m === 'PATCH' ? 'items.patch' : m === 'DELETE' ? 'items.delete' : 'other' };
      });
  }

  private faultReply(status: FaultStatus, retryAfterSeconds: number): Reply {
    const headers = { 'Retry-After': String(retryAfterSeconds) };
    this.throttledUntil = Math.max(this.throttledUntil, Date.now() + retryAfterSeconds * 1000);
    if (status === 429) {
      // Body as SharePoint-through-Graph sends it (learn.microsoft.com/answers/questions/648796).
      return graphError(429, 'activityLimitReached', 'The request has been throttled', { headers, innerCode: 'throttledRequest' });
    }
    if (status === 503) return graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.', { headers });
    return graphError(504, 'gatewayTimeout', 'The gateway timed out waiting for the service.', { headers });
  }

  // ----- $batch -----

  /** /graph/json-batching: at most 20 requests, unique ids, dependsOn, 424 for failed dependencies. */
  private runBatch(ctx: Ctx): Reply {
    if (ctx.method !== 'POST') return graphError(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.');
    const reqs = (ctx.body as { requests?: unknown })?.requests;
    if (!Array.isArray(reqs) || reqs.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    this.stats.batchSizes.push(reqs.length);
    // The limit is documented; the exact error wording is not, so this message is ours.
    if (reqs.length > 20) return graphError(400, 'BadRequest', `Number of batch requests (${reqs.length}) exceeds the limit of 20.`);
    const seen = new Set<string>();
    for (const r of reqs as Array<Record<string, unknown>>) {
      const id = r?.id;
      if (typeof id !== 'string' || !id || typeof r.method !== 'string' || typeof r.url !== 'string') {
        return graphError(400, 'BadRequest', 'Invalid batch payload format: every request needs id, method and url.');
      }
      if (seen.has(id.toLowerCase())) return graphError(400, 'BadRequest', `Batch request id '${id}' is not unique.`);
      const deps = r.dependsOn;
      if (deps !== undefined && (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string' || !seen.has(d.toLowerCase())))) {
        return graphError(400, 'BadRequest', `Request '${id}' depends on a request that does not precede it.`);
      }
      seen.add(id.toLowerCase());
      const hdrs = lowerKeys(r.headers);
      if (r.body !== undefined && !hdrs['content-type']) {
        // json-batching: "When a body is included with the request, the headers object must contain a value for Content-Type."
        return graphError(400, 'BadRequest', `Write request id : ${id} does not contain Content-Type header or body.`);
      }
    }

    const statusById = new Map<string, number>();
    const responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: unknown }> = [];
    for (const r of reqs as Array<{ id: string; method: string; url: string; headers?: unknown; body?: unknown; dependsOn?: string[] }>) {
      this.stats.innerRequests++;
      let reply: Reply;
      const failedDep = (r.dependsOn ?? []).find((d) => { const s = statusById.get(d.toLowerCase()); return s === undefined || s < 200 || s >= 300; });
      const inner = this.innerCtx(r);
      const route = inner instanceof GraphFailReply ? undefined : inner.path === '/$batch' ? undefined : this.route(inner);
      this.bump(this.stats.innerByKind, route?.kind ?? 'unknown');
      if (inner instanceof GraphFailReply) reply = inner.reply;
      else if (!route) reply = graphError(400, 'BadRequest', 'Nested batch requests are not supported.');
      else if (failedDep !== undefined) reply = graphError(424, 'failedDependency', `The dependent request '${failedDep}' failed.`);
      else {
        if (inner.headers['retry-attempt']) this.stats.retryAttemptsSeen++;
        reply = this.maybeFault(route.kind, 'inner') ?? this.exec(route);
        if (inner.method !== 'GET' && reply.status >= 200 && reply.status < 300) {
          const lost = this.maybeLose(route.kind, 'inner', () => [{ list: this.listNameOf(inner.path), kind: route.kind }]);
          if (lost && lost !== 'drop') {
            this.stats.lostReplies++;
            reply = lost;
          }
        }
      }
      this.count(reply.status);
      statusById.set(r.id.toLowerCase(), reply.status);
      const out: { id: string; status: number; headers: Record<string, string>; body?: unknown } = { id: r.id, status: reply.status, headers: { ...reply.headers } };
      if (reply.body !== undefined) out.body = reply.body;
      responses.push(out);
    }
    if (this.opts.shuffleBatchResponses !== false) {
      for (let i = responses.length - 1; i > 0; i--) {
        const j = Math.floor(this.shuffleRand() * (i + 1));
        [responses[i], responses[j]] = [responses[j]!, responses[i]!];
      }
    }
    return ok(200, { responses });
  }

  private innerCtx(r: { method: string; url: string; headers?: unknown; body?: unknown }): Ctx | GraphFailReply {
    let raw = r.url.trim();
    if (/^https?:\/\//i.test(raw)) {
      return new GraphFailReply(graphError(400, 'BadRequest', 'Batch request urls must be relative.'));
    }
    if (!raw.startsWith('/')) raw = '/' + raw;
    // The Graph JS client keeps the version segment in sub-request urls.
    raw = raw.replace(/^\/(v1\.0|beta)(?=\/)/, '');
    const u = new URL(raw, 'http://local');
    let body = r.body;
    const text = typeof r.body === 'string' ? r.body : undefined;
    if (text !== undefined) {
      // Bodies arrive as JSON objects, or base64 for non-JSON content.
      try { body = JSON.parse(text); } catch {
        try { body = JSON.parse(Buffer.from(text, 'base64').toString('utf8')); } catch { /* leave as is */ }
      }
    }
    return { method: r.method.toUpperCase(), path: u.pathname, query: u.searchParams, headers: lowerKeys(r.headers), body, inner: true };
  }

  // ----- routing -----

  private route(ctx: Ctx): Route {
    // ----- directory (users, groups, delta): graph-directory.ts -----
    const directory = this.directory.route(ctx);
    if (directory) return directory;
    // ----- SharePoint sites and lists -----
    const notFound = (msg: string): Route => ({ kind: 'unknown', run: () => fail(400, 'BadRequest', msg) });
    if (this.opts.teams && (ctx.path.startsWith('/users/') || ctx.path.startsWith('/appCatalogs/'))) return this.teamsRoute(ctx, this.opts.teams);
    if (!ctx.path.startsWith('/sites/')) return notFound(`Resource not found for the segment '${ctx.path.split('/')[1] ?? ''}'.`);
    const rest = ctx.path.slice('/sites/'.length);
    let siteRef: { id?: string; hostname?: string; path?: string };
    let sub: string;
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon !== -1 && (slash === -1 || colon < slash) && rest[colon + 1] === '/') {
      // site-getbypath: /sites/{hostname}:/{server-relative-path}[:/sub/resource]
      const hostname = decodeURIComponent(rest.slice(0, colon));
      const after = rest.slice(colon + 1);
      const close = after.indexOf(':');
      const sitePath = close === -1 ? after : after.slice(0, close);
      sub = close === -1 ? '' : after.slice(close + 1);
      siteRef = { hostname, path: decodeURIComponent(sitePath).replace(/\/+$/, '') };
    } else {
      const seg = slash === -1 ? rest : rest.slice(0, slash);
      sub = slash === -1 ? '' : rest.slice(slash);
      siteRef = { id: decodeURIComponent(seg) };
    }
    const segs = sub.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const m = ctx.method;
    const site = () => this.findSite(siteRef);
    const list = () => this.findList(site(), segs[1]!);
    const methodNotAllowed = () => fail(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.');

    if (segs.length === 0) return { kind: 'sites.get', run: () => (m === 'GET' ? ok(200, this.siteJson(site())) : methodNotAllowed()) };
    if (segs[0] !== 'lists') return notFound(`Resource not found for the segment '${segs[0]}'.`);
    if (segs.length === 1) {
      if (m === 'GET') return { kind: 'lists.get', run: () => this.getLists(site(), ctx) };
      if (m === 'POST') return { kind: 'lists.post', run: () => this.createList(site(), ctx) };
      return { kind: 'lists.other', run: methodNotAllowed };
    }
    if (segs.length === 2) {
      if (m === 'GET') return { kind: 'list.get', run: () => this.getList(site(), list(), ctx) };
      return { kind: 'list.other', run: methodNotAllowed };
    }
    if (segs[2] === 'columns') {
      if (segs.length === 3) {
        if (m === 'GET') return { kind: 'columns.get', run: () => ok(200, { value: list().columns.map((c) => this.columnJson(c)) }) };
        if (m === 'POST') return { kind: 'columns.post', run: () => this.createColumn(list(), ctx) };
        return { kind: 'columns.other', run: methodNotAllowed };
      }
      if (segs.length === 4) {
        const col = () => this.findColumn(list(), segs[3]!);
        if (m === 'GET') return { kind: 'column.get', run: () => ok(200, this.columnJson(col())) };
        if (m === 'PATCH') return { kind: 'columns.patch', run: () => this.patchColumn(list(), col(), ctx) };
        return { kind: 'columns.other', run: methodNotAllowed };
      }
    }
    if (segs[2] === 'items') {
      if (segs.length === 3) {
        if (m === 'GET') return { kind: 'items.get', run: () => this.queryItems(site(), list(), ctx) };
        if (m === 'POST') return { kind: 'items.post', run: () => this.createItem(site(), list(), ctx) };
        return { kind: 'items.other', run: methodNotAllowed };
      }
      const item = () => this.findItem(list(), segs[3]!);
      if (segs.length === 4) {
        if (m === 'GET') return { kind: 'item.get', run: () => { const it = item(); return ok(200, this.itemJson(site(), list(), it, expandOf(ctx.query)), { ETag: this.etag(it) }); } };
        if (m === 'PATCH') return { kind: 'items.patch', run: () => this.patchItem(site(), list(), item(), ctx, false) };
        if (m === 'DELETE') return { kind: 'items.delete', run: () => this.deleteItem(list(), item(), ctx) };
        return { kind: 'items.other', run: methodNotAllowed };
      }
      if (segs.length === 5 && segs[4] === 'fields') {
        if (m === 'GET') return { kind: 'item.get', run: () => ok(200, this.fieldsOut(item(), undefined)) };
        if (m === 'PATCH') return { kind: 'items.patch', run: () => this.patchItem(site(), list(), item(), ctx, true) };
        return { kind: 'items.other', run: methodNotAllowed };
      }
    }
    return notFound(`Resource not found for the segment '${segs[segs.length - 1]}'.`);
  }

  // ----- Teams: app catalog and installed apps (userteamwork-post-installedapps, userteamwork-list-installedapps,
  // userscopeteamsappinstallation-get-chat, appcatalogs-list-teamsapps in the Graph v1.0 reference) -----

  private teamsWindows = { read: [] as number[], write: [] as number[] };

  /** Graph's Teams limits: a sliding one-second window per kind, counted at arrival; over it, 429 with Retry-After. */
  private teamsGate(kind: 'read' | 'write', teams: NonNullable<LocalGraphServerOptions['teams']>): void {
    const l = teams.limits ?? { readsPerSecond: 30, writesPerSecond: 30 };
    const max = Math.max(1, Math.round((kind === 'read' ? l.readsPerSecond : l.writesPerSecond) * (teams.scale ?? 1)));
    const now = Date.now();
    const w = this.teamsWindows[kind].filter((t) => t > now - 1000);
    this.teamsWindows[kind] = w;
    if (w.length >= max) {
      const waitS = Math.max(1, Math.ceil((w[w.length - max]! + 1000 - now) / 1000));
      fail(429, 'TooManyRequests', 'Too many requests. Please retry after the time given in Retry-After.', { headers: { 'Retry-After': String(waitS) } });
    }
    w.push(now);
  }

  private teamsRoute(ctx: Ctx, teams: NonNullable<LocalGraphServerOptions['teams']>): Route {
    const tenant = teams.tenant;
    const segs = ctx.path.split('/').filter(Boolean).map((x) => decodeURIComponent(x));
    const m = ctx.method;
    const filter = odata(ctx.query, 'filter');
    const appJson = (a: TeamsTenant['apps'][number]) => ({ id: a.id, externalId: a.externalId, displayName: a.displayName, distributionMethod: a.distributionMethod });
    const methodNotAllowed = () => fail(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.');

    if (segs[0] === 'appCatalogs' && segs[1] === 'teamsApps' && segs.length === 2) {
      return {
        kind: 'appCatalogs.get',
        run: () => {
          if (m !== 'GET') return methodNotAllowed();
          this.teamsGate('read', teams);
          const f = filter === undefined ? undefined : /^\s*(id|externalId|distributionMethod)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
          if (filter !== undefined && !f) fail(400, 'BadRequest', `Invalid filter clause: ${filter}`);
          const value = tenant.apps.filter((a) => !f || String(a[f[1] as 'id' | 'externalId' | 'distributionMethod']) === f[2]!.replace(/''/g, "'"));
          return ok(200, { '@odata.context': `${this.base}/v1.0/$metadata#appCatalogs/teamsApps`, value: value.map(appJson) });
        },
      };
    }
    if (segs[0] !== 'users' || segs.length < 4 || segs[2] !== 'teamwork' || segs[3] !== 'installedApps') {
      return { kind: 'unknown', run: () => fail(400, 'BadRequest', `Resource not found for the segment '${segs[segs.length - 1] ?? ''}'.`) };
    }
    const userId = segs[1]!;
    const user = () => {
      if (!tenant.users.has(userId)) fail(404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
      return userId;
    };
    const ours = (installationId: string) => {
      const inst = tenant.installations.get(user());
      if (!inst || inst.id !== installationId) fail(404, 'NotFound', `The requested installation '${installationId}' was not found.`);
      return inst;
    };
    if (segs.length === 4) {
      if (m === 'POST') {
        return {
          kind: 'installedApps.post',
          run: () => {
            this.teamsGate('write', teams);
            const bind = (ctx.body as Record<string, unknown> | undefined)?.['teamsApp@odata.bind'];
            if (typeof bind !== 'string') fail(400, 'BadRequest', "The 'teamsApp@odata.bind' property is required.");
            const appId = /\/appCatalogs\/teamsApps\/([^/?]+)$/.exec(bind)?.[1];
            if (!appId) fail(400, 'BadRequest', `Invalid 'teamsApp@odata.bind' value: ${bind}`);
            user();
            // Only an app in the organisation's catalog or the Teams Store can be installed through Graph, by its catalog id.
            const app = tenant.apps.find((a) => a.id === decodeURIComponent(appId));
            if (!app) fail(404, 'NotFound', `Teams app '${appId}' was not found in the app catalog.`);
            if (!tenant.install(userId, app.id)) fail(409, 'Conflict', 'App is already installed for this user.');
            // "If successful, this method returns a 201 Created response code. It doesn't return anything in the response body."
            return ok(201);
          },
        };
      }
      if (m === 'GET') {
        return {
          kind: 'installedApps.get',
          run: () => {
            this.teamsGate('read', teams);
            user();
            const expand = odata(ctx.query, 'expand')?.split(',').map((x) => x.trim()) ?? [];
            const f = filter === undefined ? undefined : /^\s*teamsApp\/(id|externalId)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
            if (filter !== undefined && !f) fail(400, 'BadRequest', `Invalid filter clause: ${filter}`);
            const inst = tenant.installations.get(userId);
            const app = inst && tenant.apps.find((a) => a.id === inst.teamsAppId);
            const all = inst && app ? [{ inst, app }] : [];
            const value = all
              .filter(({ app }) => !f || (f[1] === 'id' ? app.id : app.externalId) === f[2]!.replace(/''/g, "'"))
              .map(({ inst, app }) => ({ id: inst.id, ...(expand.includes('teamsApp') ? { teamsApp: appJson(app) } : {}) }));
            return ok(200, { '@odata.context': `${this.base}/v1.0/$metadata#users('${userId}')/teamwork/installedApps`, value });
          },
        };
      }
      return { kind: 'installedApps.other', run: methodNotAllowed };
    }
    if (segs.length === 6 && segs[5] === 'chat') {
      return {
        kind: 'installedApps.chat',
        run: () => {
          if (m !== 'GET') return methodNotAllowed();
          this.teamsGate('read', teams);
          const inst = ours(segs[4]!);
          const at = this.now().toISOString();
          return ok(200, { id: inst.chatId, topic: null, createdDateTime: at, lastUpdatedDateTime: at, chatType: 'oneOnOne', tenantId: 'tenant' });
        },
      };
    }
    if (segs.length === 5) {
      return { kind: 'installedApps.get', run: () => (m === 'GET' ? (this.teamsGate('read', teams), ok(200, { id: ours(segs[4]!).id })) : methodNotAllowed()) };
    }
    return { kind: 'unknown', run: () => fail(400, 'BadRequest', `Resource not found for the segment '${segs[segs.length - 1]}'.`) };
  }

  // ----- sites -----

  private addSite(s: { hostname: string; path: string; id?: string; displayName?: string }): void {
    const id = s.id ?? `${s.hostname},${randomUUID()},${randomUUID()}`;
    const path = s.path.replace(/\/+$/, '');
    this.sites.set(id.toLowerCase(), { id, hostname: s.hostname, path, displayName: s.displayName ?? path.split('/').pop() ?? s.hostname, created: isoSeconds(this.now()), lists: new Map() });
  }

  private findSite(ref: { id?: string; hostname?: string; path?: string }): SiteRec {
    let site: SiteRec | undefined;
    if (ref.id !== undefined) {
      if (ref.id === 'root') site = [...this.sites.values()][0];
      else site = this.sites.get(ref.id.toLowerCase());
    } else {
      site = [...this.sites.values()].find((s) => s.hostname.toLowerCase() === ref.hostname!.toLowerCase() && s.path.toLowerCase() === (ref.path ?? '').toLowerCase());
    }
    if (!site) fail(404, 'itemNotFound', 'Requested site could not be found');
    return site;
  }

  private siteJson(s: SiteRec): Record<string, unknown> {
    return {
      id: s.id,
      name: s.path.split('/').pop(),
      displayName: s.displayName,
      webUrl: `https://${s.hostname}${s.path}`,
      createdDateTime: s.created,
      lastModifiedDateTime: s.created,
      siteCollection: { hostname: s.hostname },
    };
  }

  // ----- lists -----

  private findList(site: SiteRec, ref: string): ListRec {
    // list-get accepts the list id or its title.
    const key = ref.toLowerCase();
    const list = site.lists.get(key) ?? [...site.lists.values()].find((l) => l.displayName.toLowerCase() === key || l.name.toLowerCase() === key);
    if (!list) fail(404, 'itemNotFound', 'The specified list was not found');
    return list;
  }

  private findListOrThrow(siteRef: string, listName: string): ListRec {
    const site = [...this.sites.values()].find((s) => s.id.toLowerCase() === siteRef.toLowerCase() || s.path.toLowerCase() === siteRef.toLowerCase());
    if (!site) throw new Error(`no site ${siteRef}`);
    try {
      return this.findList(site, listName);
    } catch {
      throw new Error(`no list ${listName} on ${site.id}`);
    }
  }

  private listJson(site: SiteRec, l: ListRec, expand?: Set<string>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: l.id,
      name: l.name,
      displayName: l.displayName,
      description: l.description,
      webUrl: `https://${site.hostname}${site.path}/Lists/${l.name}`,
      createdDateTime: l.created,
      lastModifiedDateTime: l.modified,
      list: { contentTypesEnabled: false, hidden: false, template: l.template },
      parentReference: { siteId: site.id },
    };
    if (expand?.has('columns')) out.columns = l.columns.map((c) => this.columnJson(c));
    return out;
  }

  private getLists(site: SiteRec, ctx: Ctx): Reply {
    let lists = [...site.lists.values()];
    const filter = odata(ctx.query, 'filter');
    if (filter) {
      const expr = this.parseOrFail(filter);
      lists = lists.filter((l) => evaluate(expr, {
        value: (p) => (p === 'displayName' ? l.displayName : p === 'name' ? l.name : p === 'id' ? l.id : p === 'list/template' ? l.template : fail(400, 'invalidRequest', `Invalid filter clause: unsupported property '${p}'.`)),
        kind: () => 'str',
      }));
    }
    const expand = new Set((odata(ctx.query, 'expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    return ok(200, { value: lists.map((l) => this.listJson(site, l, expand)) });
  }

  private getList(site: SiteRec, l: ListRec, ctx: Ctx): Reply {
    const expand = new Set((odata(ctx.query, 'expand') ?? '').split(',').map((s) => s.trim().replace(/\(.*$/, '')).filter(Boolean));
    return ok(200, this.listJson(site, l, expand));
  }

  private createList(site: SiteRec, ctx: Ctx): Reply {
    const body = (ctx.body ?? {}) as { displayName?: unknown; description?: unknown; columns?: unknown; list?: { template?: unknown } };
    if (typeof body.displayName !== 'string' || !body.displayName.trim()) fail(400, 'invalidRequest', 'The displayName property is required.');
    const displayName = body.displayName.trim();
    if ([...site.lists.values()].some((l) => l.displayName.toLowerCase() === displayName.toLowerCase())) {
      // SharePoint's wording for a duplicate title.
      fail(409, 'nameAlreadyExists', 'A list, survey, discussion board, or document library with the specified title already exists in this Web site.  Please choose another title.');
    }
    const now = isoSeconds(this.now());
    const l: ListRec = {
      id: randomUUID(),
      name: displayName.replace(/[^A-Za-z0-9_]/g, '') || 'List',
      displayName,
      description: typeof body.description === 'string' ? body.description : '',
      // list-create: "If the list facet or template is unspecified, the list defaults to the genericList template, which includes a Title column."
      template: typeof body.list?.template === 'string' ? body.list.template : 'genericList',
      created: now,
      modified: now,
      columns: defaultColumns(),
      items: new Map(),
      nextItemId: 1,
    };
    if (body.columns !== undefined) {
      if (!Array.isArray(body.columns)) fail(400, 'invalidRequest', 'columns must be an array.');
      for (const c of body.columns) l.columns.push(this.columnFromBody(l, c));
    }
    site.lists.set(l.id.toLowerCase(), l);
    return ok(201, this.listJson(site, l, new Set(['columns'])));
  }

  // ----- columns -----

  private columnFromBody(l: ListRec, raw: unknown): ColumnRec {
    const c = (raw ?? {}) as Record<string, unknown>;
    const name = typeof c.name === 'string' ? c.name.trim() : '';
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(400, 'invalidRequest', `Invalid column name '${String(c.name ?? '')}'.`);
    if (l.columns.some((x) => x.name.toLowerCase() === name.toLowerCase() || x.displayName.toLowerCase() === name.toLowerCase())) {
      // SharePoint's wording for a duplicate field; Graph's status for it is not documented, 400 is our choice.
      fail(400, 'invalidRequest', `A duplicate field name "${name}" was found.`);
    }
    const types = COLUMN_TYPES.filter((t) => c[t] !== undefined && c[t] !== null);
    if (types.length > 1) fail(400, 'invalidRequest', `Column '${name}' has more than one type facet.`);
    const type: ColumnType = types[0] ?? 'text';
    const facet = { ...((c[type] as Record<string, unknown> | undefined) ?? {}) };
    if (type === 'text') {
      facet.allowMultipleLines = facet.allowMultipleLines === true;
      facet.maxLength = facet.allowMultipleLines ? MULTI_LINE_MAX : Math.min(Number(facet.maxLength ?? SINGLE_LINE_MAX) || SINGLE_LINE_MAX, SINGLE_LINE_MAX);
    }
    if (type === 'choice' && !Array.isArray(facet.choices)) facet.choices = [];
    const enforceUniqueValues = c.enforceUniqueValues === true;
    return {
      id: randomUUID(),
      name,
      displayName: typeof c.displayName === 'string' && c.displayName ? c.displayName : name,
      description: typeof c.description === 'string' ? c.description : '',
      type,
      facet,
      // SharePoint indexes a column when unique values are enforced on it.
      indexed: c.indexed === true || enforceUniqueValues,
      required: c.required === true,
      hidden: c.hidden === true,
      readOnly: false,
      enforceUniqueValues,
      columnGroup: 'Custom Columns',
    };
  }

  private createColumn(l: ListRec, ctx: Ctx): Reply {
    const col = this.columnFromBody(l, ctx.body);
    l.columns.push(col);
    l.modified = isoSeconds(this.now());
    return ok(201, this.columnJson(col));
  }

  private findColumn(l: ListRec, ref: string): ColumnRec {
    const key = ref.toLowerCase();
    const col = l.columns.find((c) => c.id.toLowerCase() === key || c.name.toLowerCase() === key);
    if (!col) fail(404, 'itemNotFound', `Column '${ref}' does not exist.`);
    return col;
  }

  private patchColumn(l: ListRec, col: ColumnRec, ctx: Ctx): Reply {
    const b = (ctx.body ?? {}) as Record<string, unknown>;
    if (col.readOnly && b.indexed === false && col.name === 'ID') fail(400, 'invalidRequest', 'The ID column cannot be changed.');
    if (typeof b.indexed === 'boolean') col.indexed = b.indexed || col.enforceUniqueValues;
    if (typeof b.enforceUniqueValues === 'boolean') { col.enforceUniqueValues = b.enforceUniqueValues; if (b.enforceUniqueValues) col.indexed = true; }
    if (typeof b.displayName === 'string' && b.displayName) col.displayName = b.displayName;
    if (typeof b.description === 'string') col.description = b.description;
    if (typeof b.required === 'boolean') col.required = b.required;
    if (typeof b.hidden === 'boolean') col.hidden = b.hidden;
    if (col.type === 'choice' && b.choice && typeof b.choice === 'object') col.facet = { ...col.facet, ...(b.choice as object) };
    l.modified = isoSeconds(this.now());
    return ok(200, this.columnJson(col));
  }

  private columnJson(c: ColumnRec): Record<string, unknown> {
    return {
      id: c.id,
      name: c.name,
      displayName: c.displayName,
      description: c.description,
      columnGroup: c.columnGroup,
      enforceUniqueValues: c.enforceUniqueValues,
      hidden: c.hidden,
      indexed: c.indexed,
      readOnly: c.readOnly,
      required: c.required,
      [c.type]: c.facet,
    };
  }

  // ----- items -----

  private findItem(l: ListRec, ref: string): ItemRec {
    const item = /^\d+$/.test(ref) ? l.items.get(Number(ref)) : undefined;
    if (!item) fail(404, 'itemNotFound', 'Item not found');
    return item;
  }

  private etag(it: ItemRec): string {
    // SharePoint-through-Graph eTags look like "\"48e941c3-9515-4c48-9760-c07c90c79d48,1\"" (resources/sharepoint).
    return `"${it.uid},${it.version}"`;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  /** Map a field name used in a query or write to its column; `XLookupId` belongs to person/lookup column X. */
  private columnFor(l: ListRec, name: string): ColumnRec | undefined {
    const direct = l.columns.find((c) => c.name === name);
    if (direct) return direct;
    if (name.endsWith('LookupId')) {
      const base = l.columns.find((c) => c.name === name.slice(0, -'LookupId'.length));
      if (base && (base.type === 'personOrGroup' || base.type === 'lookup')) return base;
    }
    return undefined;
  }

  private coerce(l: ListRec, name: string, value: unknown): unknown {
    const col = this.columnFor(l, name);
    if (!col || SYSTEM_FIELDS.has(name) || col.readOnly) {
      // Graph's message for an unknown field in a write (listitem-create / listitem-update).
      fail(400, 'invalidRequest', col ? `Field '${name}' is read-only` : `Field '${name}' is not recognized`);
    }
    if (value === null || value === undefined) return null;
    const bad = (what: string) => fail(400, 'invalidRequest', `Invalid value for field '${name}': expected ${what}.`);
    if ((col.type === 'personOrGroup' || col.type === 'lookup') && name === col.name) {
      fail(400, 'invalidRequest', `Field '${name}' is not recognized; set '${name}LookupId' instead.`);
    }
    switch (col.type) {
      case 'number':
      case 'currency': {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
        if (!Number.isFinite(n)) bad('a number');
        return n;
      }
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 0 || value === 1) return value === 1;
        return bad('a boolean');
      case 'dateTime': {
        const t = typeof value === 'string' ? Date.parse(value) : NaN;
        if (Number.isNaN(t)) bad('an ISO 8601 date');
        return isoSeconds(new Date(t));
      }
      case 'personOrGroup':
      case 'lookup': {
        const n = Number(value);
        if (!Number.isInteger(n)) bad('an integer lookup id');
        return String(n);
      }
      default: {
        if (typeof value === 'object') bad('text');
        const s = String(value);
        const max = Number(col.facet.maxLength ?? (col.facet.allowMultipleLines ? MULTI_LINE_MAX : SINGLE_LINE_MAX));
        if (s.length > max) fail(400, 'invalidRequest', `The value of field '${name}' exceeds the maximum length of ${max} characters.`);
        return s;
      }
    }
  }

  private applyFields(l: ListRec, target: Record<string, unknown>, input: unknown, selfId?: number): Record<string, unknown> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(400, 'invalidRequest', 'The request body must contain a fields object.');
    const next = { ...target };
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
      if (k.startsWith('@odata.')) continue;
      const c = this.coerce(l, k, v);
      if (c === null) delete next[k];
      else next[k] = c;
    }
    for (const col of l.columns.filter((c) => c.enforceUniqueValues)) {
      const key = col.type === 'personOrGroup' || col.type === 'lookup' ? `${col.name}LookupId` : col.name;
      const v = next[key];
      if (v === undefined) continue;
      const dup = [...l.items.values()].some((it) => it.id !== selfId && norm(it.fields[key], 'str') === norm(v, 'str'));
      if (dup) {
        // SharePoint's SPDuplicateValuesFoundException wording; the Graph status for it is our choice.
        fail(409, 'nameAlreadyExists', `The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [${col.name}].`);
      }
    }
    return next;
  }

  private insertItem(l: ListRec, fields: unknown): ItemRec {
    const values = this.applyFields(l, {}, fields);
    const now = isoSeconds(this.now());
    const it: ItemRec = { id: l.nextItemId++, uid: randomUUID(), version: 1, created: now, modified: now, fields: values };
    l.items.set(it.id, it);
    return it;
  }

  private fieldsOut(it: ItemRec, select: string[] | undefined): Record<string, unknown> {
    const all: Record<string, unknown> = {
      '@odata.etag': this.etag(it),
      ...it.fields,
      id: String(it.id),
      ContentType: 'Item',
      Modified: it.modified,
      Created: it.created,
      AuthorLookupId: '1073741822',
      EditorLookupId: '1073741822',
      _UIVersionString: `${it.version}.0`,
      Attachments: false,
    };
    if (!select) return all;
    const out: Record<string, unknown> = { '@odata.etag': all['@odata.etag'] };
    for (const s of select) if (all[s] !== undefined) out[s] = all[s];
    return out;
  }

  private itemJson(site: SiteRec, l: ListRec, it: ItemRec, expand: { fields: boolean; select?: string[] }): Record<string, unknown> {
    const out: Record<string, unknown> = {
      '@odata.etag': this.etag(it),
      createdDateTime: it.created,
      eTag: this.etag(it),
      id: String(it.id),
      lastModifiedDateTime: it.modified,
      webUrl: `https://${site.hostname}${site.path}/Lists/${l.name}/${it.id}_.000`,
      createdBy: { user: { displayName: 'SharePoint App' } },
      lastModifiedBy: { user: { displayName: 'SharePoint App' } },
      parentReference: { id: l.id, siteId: site.id },
      contentType: { id: '0x0100', name: 'Item' },
    };
    // listitem-list: fields come back only with $expand=fields.
    if (expand.fields) out.fields = this.fieldsOut(it, expand.select);
    return out;
  }

  private createItem(site: SiteRec, l: ListRec, ctx: Ctx): Reply {
    const body = ctx.body as { fields?: unknown } | undefined;
    if (!body || typeof body !== 'object' || body.fields === undefined) fail(400, 'invalidRequest', 'The request body must contain a fields object.');
    const it = this.insertItem(l, body.fields);
    // listitem-create: 201 Created with the listItem, fields included.
    return ok(201, this.itemJson(site, l, it, { fields: true }), { ETag: this.etag(it) });
  }

  private checkIfMatch(it: ItemRec, ctx: Ctx): void {
    const h = ctx.headers['if-match'];
    if (h === undefined || h.trim() === '*') return;
    // Our eTags contain a comma themselves, so the header is compared whole.
    if (normEtagString(h) !== normEtag(it.uid, it.version)) {
      // listitem-update: "a 412 Precondition Failed response is returned and the item will not be updated". Message wording is ours.
      fail(412, 'preconditionFailed', `The If-Match eTag ${h.trim()} does not match the item's current eTag ${this.etag(it)}.`);
    }
  }

  private patchItem(site: SiteRec, l: ListRec, it: ItemRec, ctx: Ctx, fieldsOnly: boolean): Reply {
    this.checkIfMatch(it, ctx);
    const input = fieldsOnly ? ctx.body : (ctx.body as { fields?: unknown } | undefined)?.fields;
    if (input === undefined) fail(400, 'invalidRequest', 'The request body must contain fields to update.');
    it.fields = this.applyFields(l, it.fields, input, it.id);
    it.version++;
    it.modified = isoSeconds(this.now());
    // listitem-update: 200 with the fieldValueSet.
    return fieldsOnly ? ok(200, this.fieldsOut(it, undefined), { ETag: this.etag(it) }) : ok(200, this.itemJson(site, l, it, { fields: true }), { ETag: this.etag(it) });
  }

  private deleteItem(l: ListRec, it: ItemRec, ctx: Ctx): Reply {
    this.checkIfMatch(it, ctx);
    l.items.delete(it.id);
    return ok(204);
  }

  private parseOrFail(filter: string): Expr {
    try {
      return parseFilter(filter);
    } catch (e) {
      return fail(400, 'invalidRequest', `Invalid filter clause: ${(e as Error).message}`);
    }
  }

  private queryItems(site: SiteRec, l: ListRec, ctx: Ctx): Reply {
    const q = ctx.query;
    const expand = expandOf(q);
    const filterSrc = odata(q, 'filter');
    const orderSrc = odata(q, 'orderby');
    const topSrc = odata(q, 'top');
    const prefer = (ctx.headers.prefer ?? '').split(',').map((s) => s.trim().toLowerCase());
    const honor = prefer.includes(HONOR_NON_INDEXED.toLowerCase());
    if (honor) this.stats.honorNonIndexedUsed++;

    let top: number | undefined;
    if (topSrc !== undefined) {
      top = Number(topSrc);
      if (!Number.isInteger(top) || top < 1) fail(400, 'invalidRequest', `Invalid value '${topSrc}' for $top.`);
      top = Math.min(top, 5000);
    }

    // Field paths: `id` (the listItem property) or `fields/Name`.
    const fieldOf = (path: string): string | 'id' => {
      if (path === 'id' || path === 'fields/id' || path === 'fields/ID') return 'id';
      if (!path.startsWith('fields/')) fail(400, 'invalidRequest', `Invalid filter clause: '${path}' is not a supported property; use fields/{name}.`);
      const name = path.slice('fields/'.length);
      const known = ['Created', 'Modified', 'Title'].includes(name) || this.columnFor(l, name);
      // SharePoint's wording for a column that is not in the list.
      if (!known) fail(400, 'invalidRequest', `Column '${name}' does not exist. It may have been deleted by another user.`);
      return name;
    };

    const filter = filterSrc ? this.parseOrFail(filterSrc) : undefined;
    const order: Array<{ name: string | 'id'; desc: boolean }> = [];
    if (orderSrc) {
      for (const part of orderSrc.split(',').map((s) => s.trim()).filter(Boolean)) {
        const [p, dir, extra] = part.split(/\s+/);
        if (extra || (dir && !/^(asc|desc)$/i.test(dir))) fail(400, 'invalidRequest', `Invalid $orderby clause '${part}'.`);
        order.push({ name: fieldOf(p!), desc: dir?.toLowerCase() === 'desc' });
      }
    }
    const touched = [...(filter ? exprPaths(filter).map(fieldOf) : []), ...order.map((o) => o.name)];
    const nonIndexed = [...new Set(touched.filter((n) => n !== 'id' && !this.columnFor(l, n)?.indexed))];

    if (nonIndexed.length > 0) {
      const large = l.items.size > (this.opts.threshold ?? 5000);
      if (large && honor) {
        // With the Prefer header on a large list Graph answers notSupported / tooManyResources
        // (body quoted in docs.uipath.com "Working with SharePoint lists"; the status is not stated there).
        this.stats.thresholdRefused++;
        fail(400, 'notSupported', 'The request is unprocessable because it uses too many resources', { innerCode: 'tooManyResources' });
      }
      if ((large || this.opts.strictIndexing) && !honor) {
        // Graph's refusal of a non-indexed field (microsoftgraph/microsoft-graph-docs#2279); status 400 invalidRequest.
        this.stats.thresholdRefused++;
        fail(400, 'invalidRequest', `Field '${nonIndexed[0]}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: ${HONOR_NON_INDEXED}' header to allow this, but be warned that such queries may fail on large lists.`);
      }
    }

    const valueOf = (it: ItemRec, name: string | 'id'): unknown => {
      if (name === 'id') return it.id;
      if (name === 'Created') return it.created;
      if (name === 'Modified') return it.modified;
      return it.fields[name];
    };
    const kindOf = (name: string | 'id', lit?: Lit): Kind => {
      if (name === 'id') return 'id';
      if (name === 'Created' || name === 'Modified') return 'date';
      const col = this.columnFor(l, name);
      switch (col?.type) {
        case 'number': case 'currency': case 'personOrGroup': case 'lookup': return 'num';
        case 'dateTime': return 'date';
        case 'boolean': return 'bool';
        case 'text': case 'choice': return 'str';
        default: return lit ? litKind(lit) : 'str';
      }
    };

    let rows = [...l.items.values()];
    if (filter) {
      rows = rows.filter((it) => evaluate(filter, { value: (p) => valueOf(it, fieldOf(p)), kind: (p, lit) => kindOf(fieldOf(p), lit) }));
    }
    if (order.length > 0) {
      rows.sort((a, b) => {
        for (const o of order) {
          const k = kindOf(o.name);
          const va = norm(valueOf(a, o.name), k);
          const vb = norm(valueOf(b, o.name), k);
          // Empty values sort first ascending, as in SharePoint views.
          const c = va === null && vb === null ? 0 : va === null ? -1 : vb === null ? 1 : compare(va, vb);
          if (c !== 0) return o.desc ? -c : c;
        }
        return a.id - b.id;
      });
    }

    // Paging: Graph uses $top as the page size for list items and still returns @odata.nextLink when more remain.
    const pageSize = Math.max(1, Math.min(this.opts.pageSize ?? 200, top ?? Number.POSITIVE_INFINITY));
    const token = q.get('$skiptoken') ?? q.get('skiptoken');
    let start = 0;
    if (token) {
      const pos = decodeSkipToken(token);
      if (!pos) fail(400, 'invalidRequest', 'Invalid $skiptoken.');
      start = 'afterId' in pos ? rows.findIndex((r) => r.id > pos.afterId) : pos.offset;
      if (start < 0) start = rows.length;
    }
    const page = rows.slice(start, start + pageSize);
    const body: Record<string, unknown> = { value: page.map((it) => this.itemJson(site, l, it, expand)) };
    if (start + pageSize < rows.length) {
      const last = page[page.length - 1]!;
      const next = order.length === 0 ? encodeSkipToken({ afterId: last.id }) : encodeSkipToken({ offset: start + pageSize });
      const parts: string[] = [];
      for (const [k, v] of q) if (k !== '$skiptoken' && k !== 'skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
      parts.push(`$skiptoken=${encodeURIComponent(next)}`);
      const sitePart = encodeURIComponent(site.id);
      body['@odata.nextLink'] = `${this.base}/v1.0/sites/${sitePart}/lists/${l.id}/items?${parts.join('&')}`;
    }
    return ok(200, body);
  }
}

class GraphFailReply {
  constructor(readonly reply: Reply) {}
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function defaultColumns(): ColumnRec[] {
  const sys = (name: string, type: ColumnType, facet: Record<string, unknown>, extra: Partial<ColumnRec> = {}): ColumnRec => ({
    id: randomUUID(), name, displayName: name, description: '', type, facet, indexed: false, required: false, hidden: false, readOnly: true, enforceUniqueValues: false, columnGroup: '_Hidden', ...extra,
  });
  return [
    sys('Title', 'text', { allowMultipleLines: false, maxLength: SINGLE_LINE_MAX }, { readOnly: false, columnGroup: 'Custom Columns' }),
    // ID is the list's primary key, which SharePoint can always query on.
    sys('ID', 'number', {}, { indexed: true }),
    sys('ContentType', 'text', {}),
    sys('Modified', 'dateTime', {}),
    sys('Created', 'dateTime', {}),
    sys('Author', 'personOrGroup', {}),
    sys('Editor', 'personOrGroup', {}),
    sys('Attachments', 'boolean', {}),
  ];
}

function lowerKeys(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (h && typeof h === 'object') for (const [k, v] of Object.entries(h as Record<string, unknown>)) out[k.toLowerCase()] = String(v);
  return out;
}

/** OData system query options may be written with or without '$' (listitem-list uses `?expand=fields`). */
function odata(q: URLSearchParams, name: string): string | undefined {
  return q.get(`$${name}`) ?? q.get(name) ?? undefined;
}

/** `$expand=fields`, `$expand=fields($select=a,b)` or `expand=fields(select=a,b)`. */
function expandOf(q: URLSearchParams): { fields: boolean; select?: string[] } {
  const src = odata(q, 'expand');
  if (!src) return { fields: false };
  const m = /(?:^|,)\s*fields\s*(?:\(\s*\$?select\s*=\s*([^)]*)\))?/i.exec(src);
  if (!m) return { fields: false };
  const select = m[1]?.split(',').map((s) => s.trim()).filter(Boolean);
  return { fields: true, select: select && select.length ? select : undefined };
}

function normEtag(uid: string, version: number): string {
  return `${uid.toLowerCase()},${version}`;
}

function normEtagString(s: string): string {
  return s.trim().replace(/^W\//, '').replace(/^"+|"+$/g, '').replace(/^\{|\}(?=,)/g, '').toLowerCase();
}

function encodeSkipToken(pos: { afterId: number } | { offset: number }): string {
  // SharePoint's own tokens look like "Paged=TRUE&p_ID=200"; ours carry the same idea.
  return 'afterId' in pos ? `Paged=TRUE&p_ID=${pos.afterId}` : `Paged=TRUE&p_Offset=${pos.offset}`;
}

function decodeSkipToken(t: string): { afterId: number } | { offset: number } | undefined {
  const id = /p_ID=(\d+)/.exec(t);
  if (id) return { afterId: Number(id[1]) };
  const off = /p_Offset=(\d+)/.exec(t);
  if (off) return { offset: Number(off[1]) };
  return undefined;
}
