/**
 * Benchmark: the tab's API under a trust-sized school. Prints figures; never
 * passes or fails.
 *
 * Method: the app runs in embedded mode (dev sign-in) through the test
 * harness, first on SQLite, then on the SharePoint store against the local
 * Graph server, both at the same size. SQLite is seeded through the store;
 * SharePoint's bulk rows (staff, declarations, recipients) are put straight
 * into the local Graph server's lists with the store's own field mappers
 * (through Graph it would take tens of minutes), the rest through the store,
 * with no Graph latency while seeding: RECIPIENTS staff (default 30,000) in one campaign
 * (a third signed, spread over the last 20 days, the rest sent), DECLARATIONS
 * declarations (default 100,000) over several policy versions, and REQUESTS
 * account requests (submitted through the bot, as people would). Then, as the
 * policy admin over HTTP, it times SAMPLES calls (default 50) of each of three
 * reads the tab makes: the campaign dashboard, the first page of people who
 * have not signed, and the first page of the Approvals list; p50 and p99 of
 * the round trip. On SharePoint, 50 ms is added to every Graph request, and the
 * Graph requests of one page load of each are counted at the server (a $batch
 * counts once).
 */
import { performance } from 'node:perf_hooks';
import { demoPolicy, demoPolicyVersions } from '../src/adapters/demo-policy';
import { demoSchool } from '../src/adapters/demo-school';
import type { Campaign } from '../src/domain/campaign';
import type { Declaration } from '../src/domain/declaration.workflow';
import type { StaffMember } from '../src/domain/people';
import { newRecipient, type Recipient } from '../src/domain/recipient.workflow';
import { Lists } from '../src/adapters/sharepoint/lists';
import { declarationFields, recipientFields, staffFields } from '../src/adapters/sharepoint/mappers';
import { SITE } from '../tests/contract/sharepoint-harness';
import { validForm } from '../tests/support/forms';
import { Harness, people } from '../tests/support/harness';
import { apiAs } from '../tests/support/tab-api';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 30_000);
const DECLARATIONS = Number(process.env.BENCH_DECLARATIONS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const DAY = 86_400_000;

const staff: StaffMember[] = Array.from({ length: RECIPIENTS }, (_, i) => ({
  id: `70000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  schoolId: demoSchool.id,
  name: `Trust Staff ${i}`,
  email: `t${i}@trust.example`,
  department: `School ${String(i % 40).padStart(2, '0')}`,
  jobTitle: 'Teacher',
  roles: [],
}));

const audit = (at: string) => ({ id: `bench-${at}`, schoolId: demoSchool.id, entityType: 'declaration' as const, entityId: 'bench', actorId: 'bench', actorName: 'bench', action: 'declaration.import', at, before: null, after: null });

/** How the bulk rows get in: through the store, or straight into the local Graph server's lists. */
interface Bulk {
  staff(rows: StaffMember[]): Promise<void>;
  declarations(rows: Declaration[]): Promise<void>;
  recipients(campaign: Campaign, rows: Recipient[]): Promise<void>;
}

const throughStore = (h: Harness): Bulk => ({
  staff: (rows) => h.app.store.upsertStaff(rows),
  declarations: async (rows) => void (await h.app.store.policies.importDeclarations(rows, audit(rows[0]!.id))),
  recipients: async (c, rows) => {
    for (let i = 0; i < rows.length; i += 2_000) await h.app.store.campaigns.addRecipients(c.id, rows.slice(i, i + 2_000), () => { throw new Error('no sends: every recipient is already sent or signed'); });
  },
});

const intoGraphServer = (h: Harness): Bulk => ({
  staff: async (rows) => void h.graph!.seedItems(SITE, Lists.staff, rows.map(staffFields)),
  declarations: async (rows) => void h.graph!.seedItems(SITE, Lists.declarations, rows.map(declarationFields)),
  recipients: async (c, rows) => void h.graph!.seedItems(SITE, Lists.recipients, rows.map((r) => recipientFields(r, c.versionId))),
});

async function seed(h: Harness, bulk: Bulk, requests: number) {
  const store = h.app.store;
  await bulk.staff(staff);
  // Extra made-up versions, so DECLARATIONS fit one per person and version.
  const versionsNeeded = Math.ceil(DECLARATIONS / RECIPIENTS);
  const base = (await store.policies.getVersion(demoPolicyVersions[1].id))!;
  const versions = [base];
  for (let i = 0; versions.length < versionsNeeded; i++) {
    const v = { ...base, id: `bench-version-${i}`, versionLabel: `Bench ${i}`, effectiveDate: `20${10 + i}-09-01`, contentHash: `bench-${i}` };
    await store.policies.publishVersion(demoPolicy, v);
    versions.push(v);
  }
  const now = Date.now();
  for (let start = 0; start < DECLARATIONS; start += 5_000) {
    const ds: Declaration[] = [];
    for (let k = start; k < Math.min(DECLARATIONS, start + 5_000); k++) {
      const s = staff[k % RECIPIENTS]!;
      const v = versions[Math.floor(k / RECIPIENTS)]!;
      // The campaign's own version gets its signatures from the recipients below.
      if (v.id === base.id) continue;
      ds.push({ id: `bench-d-${k}`, schoolId: s.schoolId, signerId: s.id, signerName: s.name, typedName: s.name, versionId: v.id, policyId: v.policyId, versionLabel: v.versionLabel, contentHash: v.contentHash, campaignId: null, signedAt: new Date(now - (k % 300) * DAY).toISOString() });
    }
    if (ds.length) await bulk.declarations(ds);
  }
  const launchedAt = new Date(now - 20 * DAY).toISOString();
  const campaign: Campaign = {
    id: 'bench-campaign',
    schoolId: demoSchool.id,
    policyId: base.policyId,
    versionId: base.id,
    versionLabel: base.versionLabel,
    title: base.title,
    audience: { kind: 'roster' },
    deadline: new Date(now + 10 * DAY).toISOString().slice(0, 10),
    reminderEveryDays: 7,
    launchedBy: people.policyAdmin.id,
    launchedByName: people.policyAdmin.name,
    launchedAt,
    audienceStatus: 'ready',
  };
  const recipients: Recipient[] = staff.map((s, i) => {
    const r = newRecipient(campaign.id, s, launchedAt, s.schoolId);
    const sentAt = new Date(Date.parse(launchedAt) + 60_000).toISOString();
    return i % 3 === 0 ? { ...r, state: 'signed', sentAt, signedAt: new Date(now - (i % 20) * DAY).toISOString() } : { ...r, state: 'sent', sentAt };
  });
  await store.campaigns.createCampaign(campaign, [], []);
  await bulk.recipients(campaign, recipients);
  await store.campaigns.recountRecipients(campaign.id);
  for (let i = 0; i < requests; i++) {
    const res = await h.invoke(people.requester, 'request.submit', validForm({ platform: `Bench ${i}` }));
    if (res.status !== 200) throw new Error(`request ${i}: ${res.status}`);
  }
  await h.settle(600_000);
  return campaign.id;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function measure(h: Harness, campaignId: string) {
  const api = await apiAs(h, people.policyAdmin);
  const reads = {
    'campaign dashboard': `/api/campaigns/${campaignId}`,
    'not signed, first page': `/api/campaigns/${campaignId}/not-signed`,
    'Approvals list, first page': '/api/requests',
  };
  const out: Array<{ name: string; p50: number; p99: number; graph?: number }> = [];
  for (const [name, path] of Object.entries(reads)) {
    const first = await api.get(path);
    if (first.status !== 200) throw new Error(`${path} answered ${first.status}: ${JSON.stringify(first.body).slice(0, 200)}`);
    let graph: number | undefined;
    if (h.graph) {
      h.graph.resetStats();
      await api.get(path);
      graph = h.graph.stats.requests;
    }
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const res = await api.get(path);
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    }
    out.push({ name, p50: quantile(times, 0.5), p99: quantile(times, 0.99), graph });
  }
  return out;
}

function print(title: string, rows: Awaited<ReturnType<typeof measure>>) {
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(28)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms${r.graph === undefined ? '' : `   Graph requests per load: ${r.graph}`}`);
  }
}

async function main() {
  console.log(`Seeding SQLite: ${RECIPIENTS} recipients, ${DECLARATIONS} declarations, 300 requests…`);
  const sqlite = await new Harness().start();
  try {
    const id = await seed(sqlite, throughStore(sqlite), 300);
    print(`SQLite (embedded store), ${SAMPLES} calls each; target p99 ≤ 200 ms`, await measure(sqlite, id));
  } finally {
    await sqlite.stop();
  }
  console.log(`\nSeeding SharePoint (local Graph server, no latency while seeding): the same size…`);
  const sp = await new Harness({ store: 'sharepoint', graph: { latencyMs: 0, pageSize: 200 } }).start();
  try {
    const id = await seed(sp, intoGraphServer(sp), 300);
    sp.graph!.configure({ latencyMs: 50 });
    print(`SharePoint (local Graph server, +50 ms per Graph request), ${SAMPLES} calls each; target: the dashboard in ≤ 3 Graph requests`, await measure(sp, id));
  } finally {
    await sp.stop();
  }
}

void main();
