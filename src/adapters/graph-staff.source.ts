import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryPerson } from '../domain/roster';
import type { StaffChanges, StaffSnapshot, StaffSource } from '../ports/staff-source';
import { BatchRunner, type SubRequest } from './sharepoint/batch';
import { nextLinkPath } from './sharepoint/graph-client';

/**
 * The staff group through Microsoft Graph (application permissions GroupMember.Read.All and
 * User.Read.All). Platform facts this relies on, from learn.microsoft.com:
 *
 * - Full read: `GET /groups/{id}/transitiveMembers/microsoft.graph.user` ("List group transitive
 *   members"; the cast keeps users only), `$select` for the properties we keep, `$top` up to 999
 *   (the largest page directory collections allow), then `@odata.nextLink` until it is absent.
 * - Changes, two delta queries ("Use delta query to track changes in Microsoft Graph data";
 *   "user: delta"; "group: delta"):
 *   `GET /users/delta?$select=…` reports users whose *selected* properties changed (tenant-wide:
 *   it cannot be limited to a group's members), deleted users as `@removed`;
 *   `GET /groups/delta?$filter=id eq '{id}'&$select=members` reports the group's membership
 *   changes in `members@delta` (removals carry `@removed`). Query parameters go on the first
 *   request only; the `@odata.nextLink` / `@odata.deltaLink` carry them. Directory resources
 *   (users, groups) support "sync from now" (delta-query-overview): `$deltatoken=latest` answers
 *   a deltaLink for the current state without listing everything once more.
 * - Group delta reports DIRECT members only: a change inside a nested group is not reported on the
 *   parent (Microsoft Q&A, "delta of child group members"). So we track the staff group and each
 *   group nested in it (up to MAX_TRACKED_GROUPS, one delta query each), confirm a removal from one
 *   of them with `POST /directoryObjects/{id}/checkMemberGroups` (transitive), and read everything
 *   again when groups are added to or removed from the nesting.
 * - An expired or unknown delta token answers 410 Gone (`resyncRequired`, `syncStateNotFound`):
 *   the client starts again with a full read. Directory delta tokens expire after 7 days unused.
 * - Throttling: 429 with Retry-After, retried by the Graph client's RetryHandler (graph-client.ts);
 *   `$batch` requests (at most 20 each) are retried item by item by BatchRunner.
 */

/** Properties kept per person; `employeeHireDate` is the join date (a DateTimeOffset). */
const SELECT = 'id,displayName,mail,userPrincipalName,department,jobTitle,employeeHireDate';
/** Directory collections accept `$top` from 1 to 999. */
const PAGE = 999;
/** Nested groups tracked one delta query each; beyond this a sync reads the whole group every time. */
export const MAX_TRACKED_GROUPS = 20;

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  employeeHireDate?: string | null;
  '@removed'?: { reason?: string };
}

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

interface Cursor {
  v: 1;
  groupId: string;
  users: string;
  /** Group id → its deltaLink; empty when the nesting is too wide to track (every sync reads everything). */
  groups: Record<string, string>;
}

/** A delta link that Graph no longer honours: read everything again. */
class ResyncNeeded extends Error {}

export function personOf(u: GraphUser): DirectoryPerson {
  const hired = u.employeeHireDate ? u.employeeHireDate.slice(0, 10) : '';
  return {
    id: u.id,
    name: u.displayName ?? '',
    // Not every account has a mailbox: the sign-in name is the address people know then.
    email: u.mail ?? u.userPrincipalName ?? '',
    department: u.department ?? '',
    jobTitle: u.jobTitle ?? '',
    ...(/^\d{4}-\d{2}-\d{2}$/.test(hired) ? { joinedOn: hired } : {}),
  };
}

export class GraphStaffSource implements StaffSource {
  private readonly batch: BatchRunner;

  constructor(
    private readonly o: {
      client: Client;
      /** Graph's origin (GRAPH_BASE_URL): nextLinks and deltaLinks are followed only there. */
      baseUrl: string;
      /** STAFF_GROUP_ID */
      groupId: string;
      log?: (msg: string) => void;
    },
  ) {
    this.batch = new BatchRunner(o.client);
  }

  private async get<T>(path: string): Promise<Page<T>> {
    try {
      return (await this.o.client.api(path).get()) as Page<T>;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 410) throw new ResyncNeeded((e as Error).message);
      throw e;
    }
  }

  /** Every item of a paged read, and the deltaLink it ends with (for a delta query). */
  private async readAllPages<T>(first: string): Promise<{ items: T[]; deltaLink?: string }> {
    const items: T[] = [];
    for (let path: string | undefined = first; path; ) {
      const page: Page<T> = await this.get<T>(path);
      items.push(...(page.value ?? []));
      if (page['@odata.deltaLink']) return { items, deltaLink: page['@odata.deltaLink'] };
      path = page['@odata.nextLink'] ? nextLinkPath(page['@odata.nextLink'], this.o.baseUrl) : undefined;
    }
    return { items };
  }

  private async latest(first: string): Promise<string> {
    const r = await this.readAllPages(first);
    if (!r.deltaLink) throw new Error(`Graph gave no deltaLink for ${first}`);
    return r.deltaLink;
  }

  private groupDelta(groupId: string): string {
    return `/groups/delta?$filter=${encodeURIComponent(`id eq '${groupId}'`)}&$select=members&$deltatoken=latest`;
  }

  async readAll(): Promise<StaffSnapshot> {
    const g = encodeURIComponent(this.o.groupId);
    const nested = (await this.readAllPages<{ id: string }>(`/groups/${g}/transitiveMembers/microsoft.graph.group?$select=id&$top=${PAGE}`)).items.map((x) => x.id);
    const tracked = nested.length + 1 <= MAX_TRACKED_GROUPS ? [this.o.groupId, ...nested] : [];
    if (!tracked.length) this.o.log?.(`the staff group nests ${nested.length} groups, more than ${MAX_TRACKED_GROUPS - 1}: every directory sync reads the whole group`);
    // Tracking starts before the full read, so a change made while we read is reported next time (applied twice at worst, which changes nothing).
    const users = await this.latest(`/users/delta?$select=${SELECT}&$deltatoken=latest`);
    const groups: Record<string, string> = {};
    for (const id of tracked) groups[id] = await this.latest(this.groupDelta(id));
    const members = await this.readAllPages<GraphUser>(`/groups/${g}/transitiveMembers/microsoft.graph.user?$select=${SELECT}&$top=${PAGE}`);
    const cursor: Cursor = { v: 1, groupId: this.o.groupId, users, groups };
    return { people: members.items.map(personOf), cursor: JSON.stringify(cursor) };
  }

  async readChanges(raw: string): Promise<StaffChanges | { kind: 'resync'; reason: string }> {
    let c: Cursor;
    try {
      c = JSON.parse(raw) as Cursor;
    } catch {
      return { kind: 'resync', reason: 'the saved position could not be read' };
    }
    if (c.v !== 1 || c.groupId !== this.o.groupId) return { kind: 'resync', reason: 'the staff group setting changed' };
    if (!Object.keys(c.groups).length) return { kind: 'resync', reason: 'the staff group nests too many groups to track' };
    try {
      const joinedIds = new Set<string>();
      const removedIds = new Set<string>();
      const groups: Record<string, string> = {};
      for (const [id, link] of Object.entries(c.groups)) {
        const r = await this.readAllPages<{ id: string; 'members@delta'?: Array<{ '@odata.type'?: string; id: string; '@removed'?: unknown }> }>(nextLinkPath(link, this.o.baseUrl));
        for (const group of r.items) {
          for (const m of group['members@delta'] ?? []) {
            if (m['@odata.type'] === '#microsoft.graph.group') return { kind: 'resync', reason: `a group was ${m['@removed'] ? 'removed from' : 'added to'} the staff group's nesting` };
            if (m['@removed']) removedIds.add(m.id);
            else joinedIds.add(m.id);
          }
        }
        if (!r.deltaLink) throw new Error('Graph gave no deltaLink for the staff group');
        groups[id] = r.deltaLink;
      }
      const u = await this.readAllPages<GraphUser>(nextLinkPath(c.users, this.o.baseUrl));
      if (!u.deltaLink) throw new Error('Graph gave no deltaLink for users');
      const changed = new Map<string, DirectoryPerson>();
      const deleted = new Set<string>();
      for (const user of u.items) {
        if (user['@removed']) deleted.add(user.id);
        else changed.set(user.id, personOf(user));
      }
      // People who joined with no property change to report: their details, 20 to a $batch.
      const missing = [...joinedIds].filter((id) => !changed.has(id) && !deleted.has(id));
      const fetched = await this.batch.all(missing.map((id): SubRequest => ({ method: 'GET', url: `/users/${encodeURIComponent(id)}?$select=${SELECT}` })));
      const joined: DirectoryPerson[] = [];
      fetched.forEach((r, i) => {
        if (r.status === 200) joined.push(personOf(r.body as GraphUser));
        else if (r.status === 404) deleted.add(missing[i]!);
        else throw new Error(`Graph answered ${r.status} for user ${missing[i]}`);
      });
      for (const id of joinedIds) if (changed.has(id)) joined.push(changed.get(id)!);
      // With nested groups, leaving one of them is not leaving the staff: ask who is still a member, transitively.
      let left = [...removedIds].filter((id) => !joinedIds.has(id));
      if (Object.keys(c.groups).length > 1 && left.length) {
        const checks = await this.batch.all(left.map((id): SubRequest => ({ method: 'POST', url: `/directoryObjects/${encodeURIComponent(id)}/checkMemberGroups`, body: { groupIds: [this.o.groupId] }, headers: { 'Content-Type': 'application/json' } })));
        left = left.filter((id, i) => checks[i]!.status === 404 || !((checks[i]!.body as { value?: string[] })?.value ?? []).includes(this.o.groupId));
      }
      for (const id of deleted) if (!left.includes(id)) left.push(id);
      // Someone who left and whose details also changed has left: their new details are nobody's business here.
      const joinedSet = new Set([...joined.map((p) => p.id), ...left]);
      const next: Cursor = { v: 1, groupId: this.o.groupId, users: u.deltaLink, groups };
      return { kind: 'changes', joined, left, changed: [...changed.values()].filter((p) => !joinedSet.has(p.id)), cursor: JSON.stringify(next) };
    } catch (e) {
      if (e instanceof ResyncNeeded) return { kind: 'resync', reason: `Graph asked for a full read (${e.message})` };
      throw e;
    }
  }
}
