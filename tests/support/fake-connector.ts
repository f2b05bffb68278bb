import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TeamsTenant } from './teams-tenant';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  kind: 'create' | 'send' | 'reply' | 'update' | RosterCallKind;
  conversationId: string;
  activityId: string;
  /** For `create`: the member the conversation was opened with. */
  memberId?: string;
  activity?: any;
  /** For `pagedmembers`: the query as the bot sent it. */
  query?: { pageSize?: string; continuationToken?: string };
  at: number;
}

/** A call the connector answered with an error instead of delivering. */
export interface ConnectorRejection {
  kind: ConnectorCall['kind'];
  conversationId: string;
  memberId?: string;
  status: number;
  code: string;
  at: number;
}

export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface ConnectorLimits {
  /** Applied to each conversation on its own (send, reply, update). */
  perConversation?: RateLimit[];
  /** Applied to every request together, createConversation included. */
  global?: RateLimit;
  /**
   * Multiplies every `max` (rounded, at least 1), windows unchanged. Benchmarks
   * use e.g. 10 to run ten times faster than Teams allows while keeping its shape.
   */
  scale?: number;
}

export interface ConnectorFaults {
  /** Probability (0..1) that an otherwise admitted call fails. */
  rate: number;
  /** Status picked uniformly for each injected failure, e.g. [500, 502, 503, 504, 412, 404, 403]. */
  statuses: number[];
  /** PRNG seed, so a run can be reproduced. Default 1. */
  seed?: number;
}

export interface FakeConnectorOptions {
  limits?: ConnectorLimits;
  faults?: ConnectorFaults;
  /** Users who blocked or uninstalled the bot: every create/send to them answers 403. */
  goneUsers?: Iterable<string>;
  /**
   * Answer as the Microsoft 365 Agents Playground does: it knows only these people (the users in
   * .m365agentsplayground.yml). A chat with anyone else is created (201), but every message into it
   * answers 500 UserNotFound, as @microsoft/m365agentsplayground 0.2.28 does (seen against it with
   * curl). Unset: everyone has a chat.
   */
  playgroundUsers?: Iterable<string>;
  /**
   * Answer as Teams does about installation: a bot can open a 1:1 chat only with someone who has the
   * app installed. A create, send, reply or update for anyone else is refused with 403
   * BotNotInConversationRoster, "The bot is not part of the conversation roster." (the answer reported
   * in OfficeDev/microsoft-teams-apps-company-communicator#744 and MicrosoftDocs/bot-docs#1527; listed in
   * learn.microsoft.com, "Status codes from bot conversational APIs"). Installs happen through the local
   * Graph server, which shares this tenant. Personal chats then carry Teams' ids
   * (19:{user}_{bot}@unq.gbl.spaces), the same ones Graph names, and a conversation nobody opened is 404.
   */
  tenant?: TeamsTenant;
  /**
   * Auth on, as the real connector: every request must carry `Authorization: Bearer <token>` that this
   * accepts, else 401 (learn.microsoft.com, "Authenticate requests with the Bot Connector API", bot to connector).
   */
  auth?: (bearer: string | undefined) => boolean;
}

/**
 * Teams bot rate limits (learn.microsoft.com, "Optimize your bot with rate
 * limiting and best practices in Microsoft Teams"): per bot per conversation
 * 7/1 s, 8/2 s, 60/30 s, 1800/3600 s; per app per tenant 50 requests/s.
 */
export const TEAMS_LIMITS = {
  perConversation: [
    { max: 7, windowMs: 1_000 },
    { max: 8, windowMs: 2_000 },
    { max: 60, windowMs: 30_000 },
    { max: 1800, windowMs: 3_600_000 },
  ],
  global: { max: 50, windowMs: 1_000 },
} satisfies ConnectorLimits;

/** mulberry32: a tiny seeded PRNG, good enough for reproducible fault injection. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exact sliding window: the timestamps of admitted requests still inside the window. */
class SlidingWindow {
  private ts: number[] = [];
  private head = 0;
  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly label: string,
  ) {}

  /** 0 if a request may go now, else the ms until the oldest one in the window leaves it. */
  waitMs(now: number): number {
    while (this.head < this.ts.length && this.ts[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.head = 0;
    }
    if (this.ts.length - this.head < this.max) return 0;
    return this.ts[this.ts.length - this.max] + this.windowMs - now;
  }

  add(now: number) {
    this.ts.push(now);
  }
}

// Error codes modelled on learn.microsoft.com, "Status codes from bot conversational APIs".
const FAULT_CODES: Record<number, string> = {
  403: 'BotNotInConversationRoster',
  404: 'ConversationNotFound',
  412: 'PreconditionFailed',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/**
 * A local Bot Connector that speaks the REST routes botbuilder uses
 * (docs.microsoft.com, "Bot Connector API reference": createConversation,
 * sendToConversation, replyToActivity, updateActivity) and records every call.
 * Conversations are remembered so a test can tell who received what.
 * Optionally it throttles (429 + Retry-After) and fails like the real service;
 * rejected calls are not recorded in `calls`.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** conversation id → the user it was opened with (or seen from). */
  readonly owners = new Map<string, string>();
  /** Users who blocked/uninstalled the bot; tests may add or remove at any time. */
  readonly goneUsers: Set<string>;
  /** The Playground's roster, when modelling the Playground: a chat with anyone else cannot be opened. */
  readonly playgroundUsers?: Set<string>;
  /** The tenant whose installs decide who can be reached, when modelling them. */
  readonly tenant?: TeamsTenant;
  private readonly auth?: (bearer: string | undefined) => boolean;
  /** Every request that reached the rate check, answered or rejected: the denominator of the 429 share. */
  requests = 0;
  /** Every 429 answered. */
  throttled = 0;
  /** Every failure injected by `faults`. */
  faultsInjected = 0;
  /** Limit label (e.g. `conversation 7/1000ms`) → times it was exceeded; one 429 can exceed several. */
  readonly violations = new Map<string, number>();
  /** Every call answered with an error (throttled, gone or injected fault). */
  readonly rejections: ConnectorRejection[] = [];
  private server?: Server;
  private readonly listeners = new Set<(call: ConnectorCall) => void>();
  private readonly convLimits: RateLimit[];
  private readonly globalWindow?: SlidingWindow;
  private readonly convWindows = new Map<string, SlidingWindow[]>();
  private readonly faults?: ConnectorFaults;
  private readonly random: () => number;

  /**
   * A slow connector: each message (a send or a reply) is held this long before it is recorded and
   * answered, so a test can act while one is in flight. 0: none.
   */
  sendDelayMs = 0;
  /** Messages being held by `sendDelayMs` right now. */
  sendsHeld = 0;

  constructor(options: FakeConnectorOptions = {}) {
    const scale = options.limits?.scale ?? 1;
    const scaled = (l: RateLimit): RateLimit => ({ max: Math.max(1, Math.round(l.max * scale)), windowMs: l.windowMs });
    this.convLimits = (options.limits?.perConversation ?? []).map(scaled);
    if (options.limits?.global) {
      const g = scaled(options.limits.global);
      this.globalWindow = new SlidingWindow(g.max, g.windowMs, `global ${g.max}/${g.windowMs}ms`);
    }
    this.faults = options.faults;
    this.random = mulberry32(options.faults?.seed ?? 1);
    this.goneUsers = new Set(options.goneUsers ?? []);
    if (options.playgroundUsers) this.playgroundUsers = new Set(options.playgroundUsers);
    this.tenant = options.tenant;
    this.auth = options.auth;
  }

  /** The id of the 1:1 chat between the bot and this person: Teams' own format when modelling a tenant. */
  conversationIdFor(userId: string): string {
    return this.tenant ? this.tenant.chatIdOf(userId) : `a:conv-${userId}`;
  }

  /** Whose chat a conversation is: one we opened or saw, or (modelling a tenant) a personal chat Graph named. */
  private ownerOf(conversationId: string): string | undefined {
    const known = this.owners.get(conversationId);
    if (known || !this.tenant) return known;
    const user = this.tenant.userOfChat(conversationId);
    if (user && this.tenant.hasApp(user)) this.owners.set(conversationId, user);
    return user;
  }

  /** Calls `fn` for every call recorded from now on; returns an unsubscribe function. */
  onCall(fn: (call: ConnectorCall) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private record(call: ConnectorCall) {
    this.calls.push(call);
    for (const fn of this.listeners) fn(call);
  }
  private seq = 0;
  url = '';

  private windowsFor(conversationId: string): SlidingWindow[] {
    let w = this.convWindows.get(conversationId);
    if (!w) {
      w = this.convLimits.map((l) => new SlidingWindow(l.max, l.windowMs, `conversation ${l.max}/${l.windowMs}ms`));
      this.convWindows.set(conversationId, w);
    }
    return w;
  }

  /**
   * Decides whether a call may go through. Returns undefined if so, else the
   * error it was answered with (already sent). Admitted calls use up quota even
   * if they then fail, since Teams counts every request.
   */
  private gate(
    res: express.Response,
    kind: ConnectorCall['kind'],
    conversationId: string,
    memberId?: string,
  ): true | undefined {
    const reject = (status: number, code: string, message: string) => {
      this.rejections.push({ kind, conversationId, memberId, status, code, at: Date.now() });
      res.status(status).json({ error: { code, message } });
      return true as const;
    };

    if (this.auth && !this.auth(/^Bearer (.+)$/.exec(String(res.req.headers.authorization ?? ''))?.[1])) {
      return reject(401, 'Unauthorized', 'Authorization has been denied for this request.');
    }
    this.requests++;
    const windows = [...(kind === 'create' ? [] : this.windowsFor(conversationId)), ...(this.globalWindow ? [this.globalWindow] : [])];
    if (windows.length) {
      const now = performance.now();
      let waitMs = 0;
      for (const w of windows) {
        const ms = w.waitMs(now);
        if (ms > 0) {
          this.violations.set(w.label, (this.violations.get(w.label) ?? 0) + 1);
          waitMs = Math.max(waitMs, ms);
        }
      }
      if (waitMs > 0) {
        this.throttled++;
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
        return reject(429, 'Throttled', 'Too many requests');
      }
      for (const w of windows) w.add(now);
    }

    // A roster read is about a team, not a person's chat: the checks on the person are for 1:1 chats.
    if (!isRosterCall(kind)) {
      const user = memberId ?? this.ownerOf(conversationId);
      // Teams answers 403 ConversationBlockedByUser when the user blocked or uninstalled the bot.
      if (user && this.goneUsers.has(user)) return reject(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.');
      if (this.tenant) {
        if (!user) return reject(404, 'ConversationNotFound', 'Conversation not found.');
        if (!this.tenant.hasApp(user)) return reject(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
      }
      if (kind !== 'create' && user && this.playgroundUsers && !this.playgroundUsers.has(user)) return reject(500, 'UserNotFound', 'User not found');
    }

    if (this.faults && this.faults.statuses.length && this.random() < this.faults.rate) {
      const status = this.faults.statuses[Math.floor(this.random() * this.faults.statuses.length)];
      this.faultsInjected++;
      return reject(status, FAULT_CODES[status] ?? 'InjectedFault', `injected ${status}`);
    }
    return undefined;
  }

  async start(): Promise<string> {
    const app = express();
    // Skip per-response work that nothing here needs, for high request rates.
    app.set('etag', false);
    app.set('x-powered-by', false);
    app.use(express.json({ limit: '1mb' }));
    app.post('/v3/conversations', (req, res) => {
      const member = req.body?.members?.[0]?.id as string | undefined;
      if (!member) return void res.status(400).json({ error: { code: 'BadArgument', message: 'members required' } });
      const conversationId = this.conversationIdFor(member);
      if (this.gate(res, 'create', conversationId, member)) return;
      this.owners.set(conversationId, member);
      this.record({ kind: 'create', conversationId, activityId: '', memberId: member, at: Date.now() });
      res.status(201).json({ id: conversationId });
    });
    // A slow connector (sendDelayMs) holds every message, new or in reply, before anything else.
    app.use((req, _res, next) => {
      if (this.sendDelayMs <= 0 || req.method !== 'POST' || !/^\/v3\/conversations\/[^/]+\/activities(\/[^/]+)?$/.test(req.path)) return next();
      this.sendsHeld++;
      setTimeout(() => {
        this.sendsHeld--;
        next();
      }, this.sendDelayMs);
    });
    app.post('/v3/conversations/:cid/activities', (req, res) => {
      if (this.gate(res, 'send', req.params.cid)) return;
      const activityId = `m${++this.seq}`;
      this.record({ kind: 'send', conversationId: req.params.cid, activityId, activity: req.body, at: Date.now() });
      res.status(201).json({ id: activityId });
    });
    app.post('/v3/conversations/:cid/activities/:replyTo', (req, res) => {
      if (this.gate(res, 'reply', req.params.cid)) return;
      const activityId = `m${++this.seq}`;
      this.record({ kind: 'reply', conversationId: req.params.cid, activityId, activity: req.body, at: Date.now() });
      res.status(201).json({ id: activityId });
    });
    app.put('/v3/conversations/:cid/activities/:aid', (req, res) => {
      if (this.gate(res, 'update', req.params.cid)) return;
      this.record({ kind: 'update', conversationId: req.params.cid, activityId: req.params.aid, activity: req.body, at: Date.now() });
      res.status(200).json({ id: req.params.aid });
    });
    this.rosterRoutes(app);
    app.use((req, res) => res.status(404).json({ error: { code: 'NotFound', message: `${req.method} ${req.path}` } }));
    this.server = await new Promise<Server>((ok) => {
      // A deep backlog so bursts of thousands of loopback connections are queued, not refused.
      const s = app.listen(0, '127.0.0.1', 4096, () => ok(s));
    });
    // Keep idle sockets longer than clients do, so a client never reuses one the server is closing (ECONNRESET).
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop() {
    const s = this.server;
    await new Promise<void>((ok) => {
      if (!s) return ok();
      s.close(() => ok());
      s.closeIdleConnections();
    });
  }

  /** Cards delivered (sent or replied) into conversations that belong to this user. */
  cardsFor(userId: string, kinds: ConnectorCall['kind'][] = ['send', 'reply']): any[] {
    return this.calls
      .filter((c) => kinds.includes(c.kind) && this.ownerOf(c.conversationId) === userId)
      .flatMap((c) => (c.activity?.attachments ?? []).map((a: any) => a.content));
  }

  textsFor(userId: string): string[] {
    return this.calls.filter((c) => this.owners.get(c.conversationId) === userId && c.activity?.text).map((c) => c.activity.text);
  }

  /** Every card the bot sent anywhere, for validation. */
  allCards(): any[] {
    return this.calls.flatMap((c) =>
      (c.activity?.attachments ?? []).filter((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a: any) => a.content),
    );
  }

  /** How many card-bearing activities were delivered (sent or replied) to this user's conversations. */
  deliveredTo(userId: string): number {
    return this.calls.filter(
      (c) => (c.kind === 'send' || c.kind === 'reply') && this.owners.get(c.conversationId) === userId && (c.activity?.attachments?.length ?? 0) > 0,
    ).length;
  }

  /** Counts recorded calls by `fn`'s key, skipping undefined; e.g. user + dedupe key to find duplicates. */
  countBy(fn: (call: ConnectorCall) => string | undefined): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.calls) {
      const k = fn(c);
      if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
  }

  // ----- Team rosters: GET /v3/conversations/{id}/pagedmembers (and the legacy …/members, only to count it) -----

  /** Team id (the General channel's conversation id) → its members, as a test set them up. */
  readonly teamRosters = new Map<string, FakeTeamMember[]>();
  private readonly legacyMembersWindow = new SlidingWindow(LEGACY_MEMBERS_LIMIT.max, LEGACY_MEMBERS_LIMIT.windowMs, 'legacy members 5/60000ms');

  /** Sets a team's roster; the bot reads it a page at a time. */
  setTeamRoster(teamId: string, members: FakeTeamMember[]) {
    this.teamRosters.set(teamId, members);
  }

  /** Roster reads recorded, of one kind: `pagedmembers` (the paged call) or `members` (the legacy one). */
  rosterCalls(kind: RosterCallKind, conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.kind === kind && (!conversationId || c.conversationId === conversationId));
  }

  /**
   * The paged members call as Teams answers it: a page size under 50 is taken as 50 and one over 500 as 500
   * (learn.microsoft.com, "Get Teams specific context for your bot"); no pageSize, 200; a continuationToken
   * while more remain; 404 ConversationNotFound for a conversation it does not know. Each call counts
   * against the per-conversation and global limits, as every request to Teams does.
   */
  private rosterRoutes(app: express.Express) {
    app.get('/v3/conversations/:cid/pagedmembers', (req, res) => {
      const cid = req.params.cid;
      if (this.gate(res, 'pagedmembers', cid)) return;
      const roster = this.teamRosters.get(cid);
      if (!roster) return void this.rejectRoster(res, 'pagedmembers', cid, 404, 'ConversationNotFound', 'Conversation not found.');
      const asked = Number(req.query.pageSize);
      const size = Number.isFinite(asked) && asked > 0 ? Math.min(500, Math.max(50, Math.floor(asked))) : 200;
      const token = typeof req.query.continuationToken === 'string' ? req.query.continuationToken : undefined;
      const from = token === undefined ? 0 : offsetOf(token, cid);
      if (from === undefined) return void this.rejectRoster(res, 'pagedmembers', cid, 400, 'BadArgument', 'Invalid continuation token.');
      this.record({ kind: 'pagedmembers', conversationId: cid, activityId: '', query: { pageSize: req.query.pageSize as string | undefined, continuationToken: token }, at: Date.now() });
      const members = roster.slice(from, from + size);
      const next = from + size < roster.length ? tokenFor(cid, from + size) : undefined;
      res.status(200).json({ members, ...(next ? { continuationToken: next } : {}) });
    });
    // The legacy call Teams throttles to 5 a minute: answered so a test can see a bot that uses it, and counted.
    app.get('/v3/conversations/:cid/members', (req, res) => {
      const cid = req.params.cid;
      const now = performance.now();
      if (this.legacyMembersWindow.waitMs(now) > 0) {
        this.throttled++;
        res.setHeader('Retry-After', '60');
        return void this.rejectRoster(res, 'members', cid, 429, 'Throttled', 'Too many requests');
      }
      this.legacyMembersWindow.add(now);
      if (this.gate(res, 'members', cid)) return;
      const roster = this.teamRosters.get(cid);
      if (!roster) return void this.rejectRoster(res, 'members', cid, 404, 'ConversationNotFound', 'Conversation not found.');
      this.record({ kind: 'members', conversationId: cid, activityId: '', at: Date.now() });
      res.status(200).json(roster.slice(0, 10_000));
    });
  }

  private rejectRoster(res: express.Response, kind: RosterCallKind, conversationId: string, status: number, code: string, message: string) {
    this.rejections.push({ kind, conversationId, status, code, at: Date.now() });
    res.status(status).json({ error: { code, message } });
  }

}

// ----- Team rosters: shared pieces -----

export type RosterCallKind = 'pagedmembers' | 'members';
const isRosterCall = (kind: string): kind is RosterCallKind => kind === 'pagedmembers' || kind === 'members';

/** Teams' throttling of the legacy GET …/members: five requests a minute (learn.microsoft.com, "Teams bot API changes to fetch team or chat members"). */
export const LEGACY_MEMBERS_LIMIT: RateLimit = { max: 5, windowMs: 60_000 };

/** A member as the connector returns one (TeamsChannelAccount). */
export interface FakeTeamMember {
  id: string;
  name: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
}

/** An opaque token, bound to its conversation, as a client must treat Teams' own. */
const tokenFor = (conversationId: string, offset: number) => Buffer.from(JSON.stringify({ c: conversationId, o: offset })).toString('base64url');
function offsetOf(token: string, conversationId: string): number | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; o?: unknown };
    return t.c === conversationId && Number.isInteger(t.o) && (t.o as number) >= 0 ? (t.o as number) : undefined;
  } catch {
    return undefined;
  }
}
