import { afterEach, describe, expect, it } from 'vitest';
import { GraphStaffSource } from '../../src/adapters/graph-staff.source';
import { createGraphClient } from '../../src/adapters/sharepoint/graph-client';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { NO_DEPARTMENT } from '../../src/domain/roster';
import type { Store } from '../../src/ports/store';
import type { JobQueue } from '../../src/ports/job-queue';
import { RosterService } from '../../src/services/roster.service';
import { RosterSyncService } from '../../src/services/roster-sync.service';
import { sharePointUnderTest, tokenProvider } from '../contract/sharepoint-harness';
import { directoryRequests, type DirUser } from '../support/graph-directory';
import { LocalGraphServer } from '../support/graph-server';

const STAFF = '11111111-1111-4111-8111-111111111111';
const NESTED = '22222222-2222-4222-8222-222222222222';
const SCHOOL = 'larkfield';
const uid = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const user = (n: number, extra: Partial<DirUser> = {}): DirUser => ({
  id: uid(n),
  displayName: `Person ${n}`,
  mail: `p${n}@larkfield.example`,
  userPrincipalName: `p${n}@larkfield.example`,
  department: ['Maths', 'Science', 'English'][n % 3]!,
  jobTitle: 'Teacher',
  employeeHireDate: n % 2 ? '2020-09-01T00:00:00Z' : null,
  ...extra,
});

/** Runs the same story on SQLite (with a local Graph server for the directory) and on SharePoint (the same server for both). */
describe.each(['sqlite', 'sharepoint'] as const)('the directory sync on %s', (kind) => {
  let cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  async function setup() {
    let server: LocalGraphServer;
    let baseUrl: string;
    let store: Store & { jobs: JobQueue };
    if (kind === 'sharepoint') {
      const sp = await sharePointUnderTest({ pageSize: 200 });
      server = sp.server;
      baseUrl = sp.baseUrl;
      store = sp.store;
    } else {
      server = new LocalGraphServer();
      baseUrl = await server.start();
      const s = new SqliteStore(':memory:', { schoolId: SCHOOL });
      store = s;
      cleanup.push(() => s.close());
    }
    cleanup.push(() => server.stop());
    const logs: string[] = [];
    const make = () => {
      const clock = { now: () => new Date('2026-11-24T10:00:00Z') };
      const ids = { next: (() => { let n = 0; return () => `id-${Date.now()}-${++n}`; })() };
      const localDate = (d: Date) => d.toISOString().slice(0, 10);
      const roster = new RosterService({ store, jobs: store.jobs, ids, clock, localDate, schoolId: SCHOOL });
      const source = new GraphStaffSource({ client: createGraphClient({ baseUrl, tokenProvider }), baseUrl, groupId: STAFF, log: (m) => logs.push(m) });
      return new RosterSyncService({ source, store, roster, jobs: store.jobs, ids, clock, schoolId: SCHOOL, everyMs: 4 * 3600_000, log: (m) => logs.push(m) });
    };
    const dir = server.directory;
    dir.addGroup(STAFF);
    dir.addGroup(NESTED);
    return { server, store, dir, make, logs };
  }

  it('reads the whole group first, then only the changes; a restart carries on from the stored position', async () => {
    const { server, store, dir, make } = await setup();
    // 2,100 direct members (three pages of 999), 3 more through a nested group, and pupils in the same tenant who are not staff.
    dir.seedUsers(Array.from({ length: 2100 }, (_, i) => user(i + 1, i === 4 ? { department: null } : {})), STAFF);
    dir.seedUsers([user(3101), user(3102), user(3103)], NESTED);
    dir.addMember(STAFF, NESTED);
    for (let i = 0; i < 5; i++) dir.putUser(user(5000 + i, { displayName: `Pupil ${i}`, department: 'Year 9' }));
    // A role assigned in Countersign before the first sync: the sync never touches it.
    await store.upsertStaff([{ id: uid(1), schoolId: SCHOOL, name: 'Old name', email: '', department: '', jobTitle: '', roles: ['headTeacher'] }]);

    server.resetStats();
    const first = await make().sync();
    const firstRequests = directoryRequests(server.stats.byTarget);
    expect(first.read).toBe('full');
    expect(first.plan.added).toHaveLength(2102);
    expect(first.plan.updated.map((u) => u.before.id)).toEqual([uid(1)]);
    expect(await store.getStaff(uid(1))).toMatchObject({ name: 'Person 1', roles: ['headTeacher'], joinedOn: '2020-09-01' });
    expect(await store.getStaff(uid(5))).toMatchObject({ department: NO_DEPARTMENT, roles: [] });
    expect(await store.getStaff(uid(3102))).toMatchObject({ name: 'Person 3102' });
    expect(await store.getStaff(uid(5000))).toBeUndefined();

    // A rename, a department move, a leaver, a joiner, a leaver from the nested group, a pupil renamed.
    dir.updateUser(uid(2), { displayName: 'Person Two-Smith' });
    dir.updateUser(uid(4), { jobTitle: 'Leaving do organiser' }); // and then leaves: a leaver, not an update
    dir.updateUser(uid(3), { department: 'Science', jobTitle: 'Head of Science' });
    dir.removeMember(STAFF, uid(4));
    dir.putUser(user(2101), [STAFF]);
    dir.removeMember(NESTED, uid(3101));
    dir.updateUser(uid(5001), { displayName: 'Pupil Renamed' });
    // Someone in both the nested group and the staff group directly leaves one of them: still staff.
    dir.addMember(STAFF, uid(3102));
    dir.removeMember(NESTED, uid(3102));

    server.resetStats();
    const second = await make().sync(); // a new instance: the position comes from the store
    const secondRequests = directoryRequests(server.stats.byTarget);
    expect(second.read).toBe('changes');
    expect(second.plan.added.map((p) => p.id)).toEqual([uid(2101)]);
    expect(second.plan.updated.map((u) => [u.before.id, u.fields])).toEqual([
      [uid(2), ['name']],
      [uid(3), ['department', 'jobTitle']],
    ]);
    expect(second.plan.left.map((l) => l.before.id).sort()).toEqual([uid(3101), uid(4)].sort());
    expect(await store.getStaff(uid(4))).toMatchObject({ leftOn: '2026-11-24' });
    expect((await store.getStaff(uid(3102)))!.leftOn).toBeUndefined();
    expect(await store.getStaff(uid(5001))).toBeUndefined();
    // Only the changes were read: a handful of requests, against the first sync's pages.
    // First: nested groups, two deltaLinks for "now" (users, each group) and three pages of members.
    expect(firstRequests).toBe(1 + 1 + 2 + 3);
    // Then: one delta round per tracked group, one for users, one $batch reading the details of the one who joined
    // without a property change (3102), one asking whether those who left a group (4, 3101) are still staff.
    expect(secondRequests).toBe(2 + 1 + 1 + 1);

    // Nothing changed: nothing written.
    const third = await make().sync();
    expect(third.read).toBe('changes');
    expect(third.plan.added.length + third.plan.updated.length + third.plan.left.length).toBe(0);
  });

  it('reads everything again when Graph says the position expired (410), and when the nesting changes', async () => {
    const { store, dir, make, logs } = await setup();
    dir.seedUsers([user(1), user(2), user(3)], STAFF);
    expect((await make().sync()).read).toBe('full');
    dir.expireTokens();
    dir.removeMember(STAFF, uid(3));
    const again = await make().sync();
    expect(again.read).toBe('full');
    expect(again.plan.left.map((l) => l.before.id)).toEqual([uid(3)]);
    expect(logs.join('\n')).toMatch(/reading the whole staff group again: Graph asked for a full read/);
    // A group added inside the staff group: its members arrive with a full read.
    dir.seedUsers([user(3201)], NESTED);
    dir.addMember(STAFF, NESTED);
    const nested = await make().sync();
    expect(nested.read).toBe('full');
    expect(nested.plan.added.map((p) => p.id)).toEqual([uid(3201)]);
    expect((await make().sync()).read).toBe('changes');
    expect(await store.getSyncState('directory')).toMatch(/deltaLink|deltatoken|\$deltatoken/);
  });

  it('changes nothing when the group reads empty while staff are stored (a wrong group id is likelier than no staff)', async () => {
    const { store, dir, make } = await setup();
    dir.seedUsers([user(1), user(2)], STAFF);
    await make().sync();
    dir.expireTokens();
    dir.removeMember(STAFF, uid(1));
    dir.removeMember(STAFF, uid(2));
    await expect(make().sync()).rejects.toThrow(/no members: nothing was changed/);
    expect((await store.getStaff(uid(1)))!.leftOn).toBeUndefined();
  });

  it('takes throttling in its stride', async () => {
    const { server, store, dir, make } = await setup();
    dir.seedUsers(Array.from({ length: 30 }, (_, i) => user(i + 1)), STAFF);
    server.configure({ throttle: { rate: 0.3, retryAfterSeconds: 0 } });
    await make().sync();
    dir.removeMember(STAFF, uid(7));
    dir.putUser(user(31), [STAFF]);
    const second = await make().sync();
    expect(server.stats.status429).toBeGreaterThan(0);
    expect(second.plan.left.map((l) => l.before.id)).toEqual([uid(7)]);
    expect((await store.getStaff(uid(31)))!.name).toBe('Person 31');
  });
});

describe('the app and the directory sync', () => {
  it('books the sync on the queue at start (never in a request), and the staff group arrives in the store', async () => {
    const { createApp } = await import('../../src/server/app');
    const { loadConfig } = await import('../../src/server/config');
    const { m365Env } = await import('../support/m365-env');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const sp = await sharePointUnderTest({ pageSize: 200 });
    const dir = mkdtempSync(join(tmpdir(), 'countersign-sync-'));
    sp.server.directory.seedUsers([user(1), user(2), user(3)], STAFF);
    const config = loadConfig({
      ...m365Env,
      DATA_DIR: dir,
      STORE: 'sharepoint',
      SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222',
      GRAPH_BASE_URL: sp.baseUrl,
      GRAPH_TENANT_ID: m365Env.BOT_TENANT_ID,
      GRAPH_CLIENT_ID: '44444444-4444-4444-8444-444444444444',
      GRAPH_CLIENT_SECRET: 'not-a-real-secret',
      STAFF_GROUP_ID: STAFF.toUpperCase(),
      DIRECTORY_SYNC_HOURS: '6',
    });
    expect(config.directory).toEqual({ staffGroupId: STAFF, syncEveryMs: 6 * 3600_000 });
    const source = new GraphStaffSource({ client: createGraphClient({ baseUrl: sp.baseUrl, tokenProvider }), baseUrl: sp.baseUrl, groupId: STAFF });
    const app = createApp(config, { store: sp.store, staffSource: source, log: () => undefined });
    try {
      await app.listen(0);
      const deadline = Date.now() + 20_000;
      while (!(await sp.store.getStaff(uid(3))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await sp.store.getStaff(uid(3))).toMatchObject({ name: 'Person 3', schoolId: m365Env.SCHOOL_ID });
      expect(await sp.store.getSyncState('directory')).toBeTruthy();
    } finally {
      await app.close();
      await sp.server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses STAFF_GROUP_ID without the SharePoint store, naming the variable', async () => {
    const { loadConfig } = await import('../../src/server/config');
    expect(() => loadConfig({ STAFF_GROUP_ID: STAFF })).toThrow(/STAFF_GROUP_ID needs STORE=sharepoint/);
    expect(() => loadConfig({ STAFF_GROUP_ID: 'staff' })).toThrow(/STAFF_GROUP_ID must be the staff group's object id/);
  });
});
