import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HarnessOptions } from './harness';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoSchool } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { TEAMS_LIMITS } from './fake-connector';
import { Harness, people } from './harness';
import { m365Env } from './m365-env';

const v2026 = demoPolicyVersions[1].id;
const SCALE = 4;

/**
 * A campaign at scale under 20% injected connector failures: none lost, none
 * duplicated. Teams' limits are scaled ×4 on both sides (the connector and the
 * bot's rate gate) to keep the run short.
 *
 * `m365`: the Microsoft 365 mode end to end (SharePoint store on the local Graph server, connector auth on,
 * Teams refusing a chat with anyone who has not installed the app); all but `opened` of the N people have
 * never opened the app, so the app installs itself for each of them (Graph's Teams limits scaled ×4 too).
 */
export function campaignAtScale(N: number, store: Pick<HarnessOptions, 'store' | 'graph'> & { m365?: { opened: number; graphScale?: number } } = {}) {
const { m365, ...storeOptions } = store;
const staffId = (i: number) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const h = new Harness({
  connector: { limits: { ...TEAMS_LIMITS, scale: SCALE }, faults: { rate: 0.2, statuses: [500, 502, 503, 504, 412], seed: 7 } },
  env: { CONNECTOR_RATE_SCALE: String(SCALE) },
  ...storeOptions,
  ...(m365 ? { m365: { scale: SCALE, graphScale: m365.graphScale, installedFor: Array.from({ length: m365.opened }, (_, i) => staffId(i)) } } : {}),
});

const staff: StaffMember[] = Array.from({ length: N }, (_, i) => ({
  id: staffId(i),
  schoolId: m365 ? m365Env.SCHOOL_ID : demoSchool.id,
  name: `Staff Member ${i}`,
  email: `staff${i}@trust.example`,
  department: `School ${i % 12}`,
  jobTitle: 'Teacher',
  roles: [],
}));

beforeAll(async () => {
  await h.start();
  await h.addStaff(staff);
});
afterAll(() => h.stop());

test(`a campaign to ${N + 14} people${m365 ? `, ${N - m365.opened} of whom never opened the app,` : ''} completes with none lost and none duplicated under 20% injected failures`, async () => {
  const deadline = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
  const installsBefore = h.tenant?.installsMade ?? 0;
  const res = await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: v2026, deadline });
  expect(res.status).toBe(200);
  const [campaign] = await h.app.store.campaigns.listCampaigns();

  // Wait for the fan-out: the audience job has booked everyone, and every recipient leaves `queued`.
  const started = Date.now();
  for (;;) {
    const ready = (await h.app.store.campaigns.getCampaign(campaign.id))?.audienceStatus === 'ready';
    const counts = await h.app.store.campaigns.countRecipients(campaign.id);
    const queued = counts.filter((c) => c.state === 'queued').reduce((a, c) => a + c.count, 0);
    if (ready && queued === 0) break;
    // A hang guard, not a time target: the audience is now booked inside this wait, not before it (the launch answers at once).
    if (Date.now() - started > 480_000) throw new Error(`still ${queued} queued${ready ? '' : ', audience not ready'}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const perUser = h.connector.countBy((c) => {
    const card = c.activity?.attachments?.[0]?.content;
    const sign = card?.actions?.find((a: any) => a.verb === 'declaration.sign');
    return (c.kind === 'send' || c.kind === 'reply') && sign?.data?.campaignId === campaign.id ? h.connector.owners.get(c.conversationId) : undefined;
  });
  const everyone = [...staff.map((s) => s.id)];
  const duplicates = [...perUser.entries()].filter(([, n]) => n > 1);
  const missing = everyone.filter((id) => !perUser.has(id));
  const counts = await h.app.store.campaigns.countRecipients(campaign.id);
  const byState = Object.fromEntries(['sent', 'failed', 'signed', 'queued'].map((s) => [s, counts.filter((c) => c.state === s).reduce((a, c) => a + c.count, 0)]));

  expect(h.connector.faultsInjected).toBeGreaterThan(N * 0.15);
  expect(duplicates).toEqual([]);
  expect(missing).toEqual([]);
  expect(byState.failed).toBe(0);
  expect(byState.sent).toBe(N + 14);
  // Sent at the pace Teams allows: the connector refused few (jitter on a loaded machine causes some), and each was retried.
  expect(h.connector.throttled).toBeLessThan(N * 0.1);
  if (m365) {
    // Each person who had never opened the app got it installed, once; nobody was refused for want of it, or of a token.
    expect(h.tenant!.installsMade - installsBefore).toBe(N - m365.opened);
    expect(h.connector.rejections.filter((r) => r.code === 'BotNotInConversationRoster' || r.status === 401)).toEqual([]);
    expect(h.graph!.stats.byKind['appCatalogs.get']).toBe(1);
  }
}, 600_000);
}
