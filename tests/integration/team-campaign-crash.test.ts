import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoSchool } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { FakeConnector, TEAMS_LIMITS, type FakeTeamMember } from '../support/fake-connector';
import { startServerProcess } from '../support/server-process';

const dir = mkdtempSync(join(tmpdir(), 'countersign-team-crash-'));
const SCALE = 2;
const connector = new FakeConnector({ limits: { ...TEAMS_LIMITS, scale: SCALE } });
let child: ChildProcess | undefined;
const TEAM = '19:crash-team@thread.tacv2';

afterAll(async () => {
  child?.kill('SIGKILL');
  await connector.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the real server process and resolves with its port (tests/support/server-process.ts). */
async function startServer(): Promise<number> {
  const started = await startServerProcess({ dataDir: dir, connectorUrl: connector.url, rateScale: SCALE });
  child = started.child;
  return started.port;
}

/** The admin writes to the bot, so the process knows where Teams is. */
async function hello(port: number) {
  const admin = demoPeople.policyAdmin;
  connector.owners.set(`a:conv-${admin.id}`, admin.id);
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      text: 'help',
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: `29:${admin.id}`, aadObjectId: admin.id, name: admin.name },
      recipient: { id: '28:countersign' },
      conversation: { id: `a:conv-${admin.id}`, conversationType: 'personal', tenantId: demoSchool.tenantId },
    }),
  });
  expect(res.status).toBe(200);
}

/**
 * The audience job reads a team a page at a time and keeps Teams' continuation token in the next page's
 * job. Killed while reading the second page, the restarted process reads on from that page's token:
 * never from the start again, and everyone gets one card.
 */
test('SIGKILL while reading a team roster, restart: the reading resumes from the token, one recipient and at most one card each', async () => {
  await connector.start();
  const staffIds = Array.from({ length: 600 }, (_, i) => `50000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const seed = new SqliteStore(join(dir, 'countersign.db'));
  await seed.upsertStaff(staffIds.map((id, i) => ({ id, schoolId: demoSchool.id, name: `Crash Member ${i}`, email: `m${i}@trust.example`, department: 'Year 5', jobTitle: 'Teacher', roles: [] })));
  // Countersign was added to the team (the bot stored it from that conversationUpdate).
  const reference = { bot: { id: '28:countersign' }, channelId: 'msteams', serviceUrl: connector.url, conversation: { id: TEAM, isGroup: true, conversationType: 'channel', tenantId: demoSchool.tenantId } };
  await seed.saveTeam({ teamId: TEAM, name: 'Year 5', serviceUrl: connector.url, tenantId: demoSchool.tenantId, reference: JSON.stringify(reference), addedAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
  seed.close();
  // 1,500 members, three pages: the staff among pupils and guests the directory does not know.
  const roster: FakeTeamMember[] = [];
  for (let i = 0; i < 1500; i++) {
    const id = i % 5 < 2 ? staffIds[Math.floor(i / 5) * 2 + (i % 5)]! : `60000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    roster.push({ id: `29:${id}`, name: `Member ${i}`, aadObjectId: id });
  }
  expect(roster.filter((m) => staffIds.includes(m.aadObjectId!))).toHaveLength(600);
  connector.setTeamRoster(TEAM, roster);

  let port = await startServer();
  await hello(port);
  // Killed as the second page is read: its answer may or may not have been seen; nothing of it was booked.
  let killedAtToken: string | undefined;
  const stop = connector.onCall((c) => {
    if (c.kind !== 'pagedmembers' || killedAtToken !== undefined || connector.rosterCalls('pagedmembers', TEAM).length < 2) return;
    killedAtToken = c.query?.continuationToken;
    child!.kill('SIGKILL');
  });
  const session = await (await fetch(`http://127.0.0.1:${port}/api/dev/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: demoPeople.policyAdmin.id }) })).json();
  const launch = await fetch(`http://127.0.0.1:${port}/api/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ versionId: demoPolicyVersions[1]!.id, deadline: '2099-12-31', reminderEveryDays: 7, audience: { kind: 'team', teamId: TEAM } }),
  });
  expect(launch.status).toBe(201);
  const { campaign } = await launch.json();
  await new Promise((r) => child!.once('exit', r));
  stop();
  expect(killedAtToken).toBeTruthy();
  const before = connector.rosterCalls('pagedmembers', TEAM).length;

  port = await startServer();
  await hello(port);
  const db = new SqliteStore(join(dir, 'countersign.db'));
  const queued = async () => (await db.campaigns.countRecipients(campaign.id)).filter((c) => c.state === 'queued').reduce((a, c) => a + c.count, 0);
  const ready = async () => (await db.campaigns.getCampaign(campaign.id))?.audienceStatus === 'ready';
  const end = Date.now() + 120_000;
  while (!(await ready()) || (await queued()) > 0) {
    if (Date.now() > end) throw new Error('campaign did not finish after restart');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const recipients = await db.campaigns.listRecipients(campaign.id, { limit: 10_000 });
  db.close();

  // After the restart, the reading went on from the page it was on: its token first, never the start again.
  const after = connector.rosterCalls('pagedmembers', TEAM).slice(before);
  expect(after[0]?.query?.continuationToken).toBe(killedAtToken);
  expect(connector.rosterCalls('pagedmembers', TEAM).filter((c) => !c.query?.continuationToken)).toHaveLength(1);
  expect(connector.rosterCalls('members')).toEqual([]);
  // Exactly the staff in the team, once each; no card twice.
  expect(recipients.map((r) => r.userId).sort()).toEqual([...staffIds].sort());
  const cards = connector.countBy((c) => {
    const sign = c.activity?.attachments?.[0]?.content?.actions?.find((a: any) => a.verb === 'declaration.sign');
    return (c.kind === 'send' || c.kind === 'reply') && sign?.data?.campaignId === campaign.id ? connector.owners.get(c.conversationId) : undefined;
  });
  expect([...cards.values()].filter((n) => n > 1)).toEqual([]);
}, 240_000);
