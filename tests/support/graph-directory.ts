/**
 * The directory part of the local Graph server (graph-server.ts routes to it): users, groups and
 * their change tracking, as Microsoft Graph v1.0 documents them, for the roster sync.
 *
 * - GET /groups/{id}/transitiveMembers/microsoft.graph.user and …/microsoft.graph.group
 *   (group-list-transitivemembers; the type segment is an OData cast). $select, $top 1..999
 *   (a larger page size is 400, as directory queries answer), paging by @odata.nextLink.
 * - GET /users/delta (user-delta): a first round lists every user, later rounds only users whose
 *   selected properties changed, and deleted users as `@removed`. `$deltatoken=latest` answers an
 *   empty page with a deltaLink for "now". Pages of USERS_DELTA_PAGE.
 * - GET /groups/delta?$filter=id eq '{id}'&$select=members (group-delta): the group with
 *   `members@delta`, direct members only (users and groups, removals as `@removed`); a later round
 *   lists only the membership changes. `$deltatoken=latest` as above.
 * - A delta token that has expired answers 410 Gone with `resyncRequired` (delta-query-overview):
 *   the caller starts again with a full read.
 * - GET /users/{id} with $select, POST /directoryObjects/{id}/checkMemberGroups (transitive).
 * Throttling and faults come from the server around it, as for every other route.
 */

export interface DirUser {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  department: string | null;
  jobTitle: string | null;
  /** DateTimeOffset, e.g. 2024-09-02T00:00:00Z, or null. */
  employeeHireDate: string | null;
}

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}
export interface DirRoute {
  kind: string;
  run: () => Reply;
}

type Change = { seq: number; kind: 'user'; id: string } | { seq: number; kind: 'member'; groupId: string; memberId: string; memberType: 'user' | 'group'; removed: boolean };

const USERS_DELTA_PAGE = 200;
const GROUP_DELTA_MEMBERS_PAGE = 500;
const MAX_TOP = 999;
const SELECTABLE: Array<keyof DirUser> = ['id', 'displayName', 'mail', 'userPrincipalName', 'department', 'jobTitle', 'employeeHireDate'];

const json = (status: number, body?: unknown): Reply => ({ status, headers: { 'Content-Type': 'application/json' }, body });
const error = (status: number, code: string, message: string): Reply => json(status, { error: { code, message, innerError: { date: new Date().toISOString() } } });
const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const dec = <T>(s: string | null): T | undefined => {
  if (!s) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString()) as T;
  } catch {
    return undefined;
  }
};

export class LocalDirectory {
  private readonly users = new Map<string, DirUser>();
  private readonly deleted = new Set<string>();
  /** Group id → direct member ids (users and groups), in the order they were added. */
  private readonly groups = new Map<string, Set<string>>();
  private readonly log: Change[] = [];
  private seq = 0;
  /** Tokens issued at or before this sequence number answer 410 (expireTokens). */
  private expiredUpTo = -1;

  constructor(private readonly base: () => string) {}

  // ----- what a test does to the directory -----

  addGroup(id: string): void {
    if (!this.groups.has(id)) this.groups.set(id, new Set());
  }

  /** Adds or replaces a user (a property change is logged for /users/delta), optionally as a member of groups. */
  putUser(u: DirUser, memberOf: string[] = []): void {
    this.users.set(u.id, { ...u });
    this.deleted.delete(u.id);
    this.log.push({ seq: ++this.seq, kind: 'user', id: u.id });
    for (const g of memberOf) this.addMember(g, u.id);
  }

  /** Many users at once, members of `groupId`, without logging each as a change (a tenant as it was before tracking began). */
  seedUsers(users: DirUser[], groupId: string): void {
    this.addGroup(groupId);
    const members = this.groups.get(groupId)!;
    for (const u of users) {
      this.users.set(u.id, { ...u });
      members.add(u.id);
    }
  }

  updateUser(id: string, patch: Partial<Omit<DirUser, 'id'>>): void {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id}`);
    this.users.set(id, { ...u, ...patch });
    this.log.push({ seq: ++this.seq, kind: 'user', id });
  }

  addMember(groupId: string, memberId: string): void {
    this.addGroup(groupId);
    const m = this.groups.get(groupId)!;
    if (m.has(memberId)) return;
    m.add(memberId);
    this.log.push({ seq: ++this.seq, kind: 'member', groupId, memberId, memberType: this.groups.has(memberId) ? 'group' : 'user', removed: false });
  }

  removeMember(groupId: string, memberId: string): void {
    const m = this.groups.get(groupId);
    if (!m?.delete(memberId)) return;
    this.log.push({ seq: ++this.seq, kind: 'member', groupId, memberId, memberType: this.groups.has(memberId) ? 'group' : 'user', removed: true });
  }

  /** Deletes a user: gone from every group, and reported as removed by /users/delta and group delta. */
  deleteUser(id: string): void {
    for (const [g, m] of this.groups) if (m.has(id)) this.removeMember(g, id);
    this.users.delete(id);
    this.deleted.add(id);
    this.log.push({ seq: ++this.seq, kind: 'user', id });
  }

  /** Every delta token issued so far answers 410 Gone from now on (Graph's tokens expire; after 7 days for directory objects). */
  expireTokens(): void {
    this.expiredUpTo = this.seq;
  }

  // ----- routing -----

  route(ctx: Ctx): DirRoute | undefined {
    const segs = ctx.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const get = ctx.method === 'GET';
    if (segs[0] === 'groups' && segs[1] === 'delta' && segs.length === 2 && get) return { kind: 'directory.groups.delta', run: () => this.groupsDelta(ctx) };
    if (segs[0] === 'groups' && segs.length === 4 && segs[2] === 'transitiveMembers' && get) {
      const cast = segs[3];
      if (cast === 'microsoft.graph.user' || cast === 'microsoft.graph.group') return { kind: 'directory.transitiveMembers', run: () => this.transitive(segs[1]!, cast === 'microsoft.graph.user' ? 'user' : 'group', ctx) };
    }
    if (segs[0] === 'users' && segs[1] === 'delta' && segs.length === 2 && get) return { kind: 'directory.users.delta', run: () => this.usersDelta(ctx) };
    if (segs[0] === 'users' && segs.length === 2 && get) return { kind: 'directory.user', run: () => this.user(segs[1]!, ctx) };
    if (segs[0] === 'directoryObjects' && segs.length === 3 && segs[2] === 'checkMemberGroups' && ctx.method === 'POST') {
      return { kind: 'directory.checkMemberGroups', run: () => this.checkMemberGroups(segs[1]!, ctx) };
    }
    return undefined;
  }

  // ----- endpoints -----

  private select(u: DirUser, q: URLSearchParams): Record<string, unknown> {
    const fields = (q.get('$select') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const keep = fields.length ? fields : SELECTABLE;
    const out: Record<string, unknown> = { '@odata.type': '#microsoft.graph.user', id: u.id };
    for (const f of keep) if ((SELECTABLE as string[]).includes(f)) out[f] = u[f as keyof DirUser] ?? null;
    return out;
  }

  /** Users reachable from the group through nested groups (each once), or the nested groups themselves. */
  private reach(groupId: string): { users: string[]; groups: string[] } {
    const users: string[] = [];
    const groups: string[] = [];
    const seenU = new Set<string>();
    const seenG = new Set<string>([groupId]);
    const walk = (g: string) => {
      for (const m of this.groups.get(g) ?? []) {
        if (this.groups.has(m)) {
          if (seenG.has(m)) continue;
          seenG.add(m);
          groups.push(m);
          walk(m);
        } else if (this.users.has(m) && !seenU.has(m)) {
          seenU.add(m);
          users.push(m);
        }
      }
    };
    walk(groupId);
    return { users, groups };
  }

  private pageSize(q: URLSearchParams): number | Reply {
    const top = q.get('$top');
    if (top === null) return 100; // Graph's default page for directory collections
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1 || n > MAX_TOP) return error(400, 'Request_BadRequest', `Invalid page size specified: '${top}'. Must be between 1 and ${MAX_TOP} inclusive.`);
    return n;
  }

  private transitive(groupId: string, type: 'user' | 'group', ctx: Ctx): Reply {
    if (!this.groups.has(groupId)) return error(404, 'Request_ResourceNotFound', `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`);
    const size = this.pageSize(ctx.query);
    if (typeof size !== 'number') return size;
    const all = type === 'user' ? this.reach(groupId).users : this.reach(groupId).groups;
    const offset = dec<{ o: number }>(ctx.query.get('$skiptoken'))?.o ?? 0;
    const slice = all.slice(offset, offset + size);
    const value = type === 'user' ? slice.map((id) => this.select(this.users.get(id)!, ctx.query)) : slice.map((id) => ({ '@odata.type': '#microsoft.graph.group', id }));
    const body: Record<string, unknown> = { '@odata.context': `${this.base()}/v1.0/$metadata#directoryObjects`, value };
    if (offset + size < all.length) {
      const q = new URLSearchParams(ctx.query);
      q.set('$skiptoken', enc({ o: offset + size }));
      body['@odata.nextLink'] = `${this.base()}/v1.0/groups/${groupId}/transitiveMembers/microsoft.graph.${type}?${q.toString()}`;
    }
    return json(200, body);
  }

  /** A token's round: changes after `since` up to `upto` (fixed when the round began), and how far into them. */
  private tokenOf(q: URLSearchParams): { since: number; upto: number; offset: number } | Reply | 'latest' {
    const skip = dec<{ s: number; u: number; o: number }>(q.get('$skiptoken'));
    if (skip) return { since: skip.s, upto: skip.u, offset: skip.o };
    const t = q.get('$deltatoken');
    if (t === 'latest') return 'latest';
    if (t === null) return { since: -1, upto: this.seq, offset: 0 }; // a first round: everything
    const since = dec<{ s: number }>(t)?.s;
    if (since === undefined) return error(400, 'Request_BadRequest', 'The delta token is not valid.');
    if (since <= this.expiredUpTo) return error(410, 'resyncRequired', 'The delta token has expired: start again with a full synchronization.');
    return { since, upto: this.seq, offset: 0 };
  }

  private deltaLink(path: string, q: URLSearchParams, upto: number): string {
    const p = new URLSearchParams(q);
    p.delete('$skiptoken');
    p.set('$deltatoken', enc({ s: upto }));
    return `${this.base()}/v1.0/${path}?${p.toString()}`;
  }

  private nextLink(path: string, q: URLSearchParams, t: { since: number; upto: number; offset: number }): string {
    const p = new URLSearchParams(q);
    p.delete('$deltatoken');
    p.set('$skiptoken', enc({ s: t.since, u: t.upto, o: t.offset }));
    return `${this.base()}/v1.0/${path}?${p.toString()}`;
  }

  private usersDelta(ctx: Ctx): Reply {
    const t = this.tokenOf(ctx.query);
    if (t === 'latest') return json(200, { value: [], '@odata.deltaLink': this.deltaLink('users/delta', ctx.query, this.seq) });
    if ('status' in t) return t;
    // Each user once, as they are now: Graph returns the latest state of a changed object, not each change.
    const ids =
      t.since < 0
        ? [...this.users.keys()]
        : [...new Set(this.log.filter((c) => c.kind === 'user' && c.seq > t.since && c.seq <= t.upto).map((c) => (c as { id: string }).id))];
    const slice = ids.slice(t.offset, t.offset + USERS_DELTA_PAGE);
    const value = slice.map((id) => {
      const u = this.users.get(id);
      // A deleted user: the id and @removed (user-delta: "changed" while it can still be restored).
      return u ? this.select(u, ctx.query) : { '@odata.type': '#microsoft.graph.user', id, '@removed': { reason: 'changed' } };
    });
    const body: Record<string, unknown> = { '@odata.context': `${this.base()}/v1.0/$metadata#users`, value };
    if (t.offset + USERS_DELTA_PAGE < ids.length) body['@odata.nextLink'] = this.nextLink('users/delta', ctx.query, { ...t, offset: t.offset + USERS_DELTA_PAGE });
    else body['@odata.deltaLink'] = this.deltaLink('users/delta', ctx.query, t.upto);
    return json(200, body);
  }

  private groupsDelta(ctx: Ctx): Reply {
    const filter = ctx.query.get('$filter') ?? '';
    const m = /^\s*id\s+eq\s+'([^']+)'\s*$/i.exec(filter);
    if (!m) return error(400, 'Request_UnsupportedQuery', "This local server tracks one group: $filter=id eq '{group id}'.");
    const groupId = m[1]!;
    if (!(ctx.query.get('$select') ?? '').split(',').map((s) => s.trim()).includes('members')) {
      return error(400, 'Request_UnsupportedQuery', 'Select members to track membership changes ($select=members).');
    }
    const t = this.tokenOf(ctx.query);
    if (t === 'latest') return json(200, { value: [], '@odata.deltaLink': this.deltaLink('groups/delta', ctx.query, this.seq) });
    if ('status' in t) return t;
    const type = (id: string) => (this.groups.has(id) ? '#microsoft.graph.group' : '#microsoft.graph.user');
    let entries: Array<Record<string, unknown>>;
    if (t.since < 0) {
      entries = [...(this.groups.get(groupId) ?? [])].map((id) => ({ '@odata.type': type(id), id }));
    } else {
      // The net change per member over the round: added then removed is a removal; removed then added, an addition.
      const last = new Map<string, Extract<Change, { kind: 'member' }>>();
      for (const c of this.log) if (c.kind === 'member' && c.groupId === groupId && c.seq > t.since && c.seq <= t.upto) last.set(c.memberId, c);
      entries = [...last.values()].map((c) => ({ '@odata.type': c.memberType === 'group' ? '#microsoft.graph.group' : '#microsoft.graph.user', id: c.memberId, ...(c.removed ? { '@removed': { reason: 'deleted' } } : {}) }));
    }
    const slice = entries.slice(t.offset, t.offset + GROUP_DELTA_MEMBERS_PAGE);
    // A first round names the group on every page; a later one only when its membership changed.
    const value = slice.length || (t.since < 0 && t.offset === 0) ? [{ '@odata.type': '#microsoft.graph.group', id: groupId, 'members@delta': slice }] : [];
    const body: Record<string, unknown> = { '@odata.context': `${this.base()}/v1.0/$metadata#groups`, value };
    if (t.offset + GROUP_DELTA_MEMBERS_PAGE < entries.length) body['@odata.nextLink'] = this.nextLink('groups/delta', ctx.query, { ...t, offset: t.offset + GROUP_DELTA_MEMBERS_PAGE });
    else body['@odata.deltaLink'] = this.deltaLink('groups/delta', ctx.query, t.upto);
    return json(200, body);
  }

  private user(id: string, ctx: Ctx): Reply {
    const u = this.users.get(id);
    if (!u) return error(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return json(200, this.select(u, ctx.query));
  }

  private checkMemberGroups(id: string, ctx: Ctx): Reply {
    const ids = (ctx.body as { groupIds?: unknown })?.groupIds;
    if (!Array.isArray(ids)) return error(400, 'Request_BadRequest', 'groupIds is required.');
    if (!this.users.has(id)) return error(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist.`);
    return json(200, { value: ids.filter((g) => typeof g === 'string' && this.reach(g).users.includes(id)) });
  }
}

/** Of a server's requests by target (GraphServerStats.byTarget), those that read the directory: top-level, or $batch envelopes of directory requests. */
export function directoryRequests(byTarget: Record<string, number>): number {
  return Object.entries(byTarget)
    .filter(([k]) => k.startsWith('directory.') || (k.startsWith('batch[') && /\/(users|directoryObjects|groups)\//.test(k)))
    .reduce((n, [, v]) => n + v, 0);
}
