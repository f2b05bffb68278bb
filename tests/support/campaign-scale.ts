import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HarnessOptions } from './harness';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoSchool } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { TEAMS_LIMITS } from './fake-connector';
import { Harness, people } from './harness';

const v2026 = demoPolicyVersions[1].id;
const SCALE = 4;

/**
 * A campaign at scale under 20% injected connector failures: none lost, none
 * duplicated. Teams' limits are scaled ×4 on both sides (the connector and the
 * bot's rate gate) to keep the run short.
 */
export function campaignAtScale(N: number, store: Pick<HarnessOptions, 'store' | 'graph'> = {}) {
const h = new Harness({
  connector: { limits: { ...TEAMS_LIMITS, scale: SCALE }, faults: { rate: 0.2, statuses: [500, 502, 503, 504, 412], seed: 7 } },
  env: { CONNECTOR_RATE_SCALE: String(SCALE) },
  ...store,
});

const staff: StaffMember[] = Array.from({ length: N }, (_, i) => ({
  id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  schoolId: demoSchool.id,
  name: `Staff Member ${i}`,
  email: `staff${i}@trust.example`,
  department: `School ${i % 12}`,
  jobTitle: 'Teacher',
  roles: [],
}));

beforeAll(async () => {
  await h.start();
  await h.app.store.upsertStaff(staff);
});
afterAll(() => h.stop());

test(`a campaign to ${N + 14} people completes with none lost and none duplicated under 20% injected failures`, async () => {
  const deadline = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
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
}, 600_000);
}
