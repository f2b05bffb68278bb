/**
 * Benchmark: Graph requests and latency of the SharePoint store, against the
 * local Graph server with 50 ms added to every request. Prints figures; never
 * passes or fails.
 *
 * Method: the app runs in embedded mode on the SharePoint store (local Graph
 * server, provisioned). Requests are counted at the server: top-level HTTP
 * requests, a $batch counting as one (its inner requests are shown apart).
 * - Per decision: an Approve invoke through /api/messages; counted from the
 *   invoke until its answer (the decision itself), then again after the
 *   follow-up notifications and scheduled jobs have finished.
 * - Per 1,000 declarations: one import of 1,000 signed declarations.
 * - Per progress read: `campaign status` for campaigns of two sizes.
 * - Per idle hour: after everything above has settled (only reminder jobs days
 *   ahead remain), the app's own job runner is left alone for IDLE_SECONDS
 *   real seconds (default 300) and every Graph request it makes is counted,
 *   then scaled to an hour (× 3600 / IDLE_SECONDS). The runner caps its sleep
 *   at 60 s, so a window of 300 s sees five or six wakes.
 * - Directory sync (runs first; BENCH_ONLY=roster runs only it): a staff group of BENCH_STAFF
 *   people (default 30,000) on the local Graph server, synced into a SQLite store
 *   (BENCH_ROSTER_STORE=sharepoint writes SharePoint lists too, which takes minutes): the
 *   directory requests of a first sync (whole group, pages of 999), then of a second after a
 *   week's changes (renames, department moves, leavers, joiners, pupils renamed), which reads
 *   only the changes through delta queries. Store writes are counted apart.
 * - Installs per second under the limits: the Microsoft 365 mode (connector auth on, Teams refusing a chat
 *   with anyone who has not installed the app), Graph's Teams limits NOT scaled (GET installedApps 30 rps,
 *   POST installedApps 30 rps per app per tenant, enforced by the local server; the installer paces itself
 *   under them), Teams' connector limits not scaled, +50 ms per Graph request. A campaign to
 *   BENCH_INSTALLS people (default 300) who have never opened the app: timed from the launch until every
 *   card has gone; installs per second = installs made / that time. Also shown: Graph requests per install
 *   (Teams routes only) and the 429s the server answered on them. BENCH_ONLY=installs runs this part alone.
 */
import { performance } from 'node:perf_hooks';
import { GraphStaffSource } from '../src/adapters/graph-staff.source';
import { createGraphClient } from '../src/adapters/sharepoint/graph-client';
import { SqliteStore } from '../src/adapters/sqlite.store';
import { RosterService } from '../src/services/roster.service';
import { RosterSyncService } from '../src/services/roster-sync.service';
import { sharePointUnderTest, tokenProvider } from '../tests/contract/sharepoint-harness';
import { directoryRequests, type DirUser } from '../tests/support/graph-directory';
import { LocalGraphServer } from '../tests/support/graph-server';
import { demoPolicyVersions } from '../src/adapters/demo-policy';
import { validForm } from '../tests/support/forms';
import { Harness, people } from '../tests/support/harness';
import { actionsOf } from '../tests/support/validate-card';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 40);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 300);
const STAFF = Number(process.env.BENCH_STAFF ?? 30_000);

/** The directory sync: Graph requests of a first and a second sync of a large staff group. */
async function rosterBench() {
  const group = '11111111-1111-4111-8111-111111111111';
  const sp = process.env.BENCH_ROSTER_STORE === 'sharepoint' ? await sharePointUnderTest({ pageSize: 5000 }) : undefined;
  const server = sp?.server ?? new LocalGraphServer();
  const baseUrl = sp?.baseUrl ?? (await server.start());
  const sqlite = sp ? undefined : new SqliteStore(':memory:', { schoolId: 'bench' });
  const store = sp?.store ?? sqlite!;
  const id = (n: number) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const user = (n: number, extra: Partial<DirUser> = {}): DirUser => ({
    id: id(n), displayName: `Staff ${n}`, mail: `s${n}@trust.example`, userPrincipalName: `s${n}@trust.example`,
    department: `School ${n % 40} ${['Maths', 'Science', 'English', 'Office'][n % 4]}`, jobTitle: 'Teacher', employeeHireDate: null, ...extra,
  });
  server.directory.seedUsers(Array.from({ length: STAFF }, (_, i) => user(i + 1)), group);
  const clock = { now: () => new Date() };
  let seq = 0;
  const ids = { next: () => `bench-${++seq}` };
  const roster = new RosterService({ store, jobs: store.jobs, ids, clock, localDate: (d) => d.toISOString().slice(0, 10), schoolId: 'bench' });
  const source = new GraphStaffSource({ client: createGraphClient({ baseUrl, tokenProvider }), baseUrl, groupId: group });
  const sync = new RosterSyncService({ source, store, roster, jobs: store.jobs, ids, clock, schoolId: 'bench', everyMs: 4 * 3600_000 });

  server.resetStats();
  let t0 = performance.now();
  const first = await sync.sync();
  const firstMs = performance.now() - t0;
  const firstDir = directoryRequests(server.stats.byTarget);
  const firstAll = server.stats.requests;

  // A week at a trust: 60 renames, 40 department moves, 50 leavers, 50 joiners, 500 pupils' accounts changed.
  for (let i = 1; i <= 60; i++) server.directory.updateUser(id(i * 7), { displayName: `Staff ${i * 7} Renamed` });
  for (let i = 1; i <= 40; i++) server.directory.updateUser(id(i * 11 + 3), { department: 'Trust Central' });
  for (let i = 1; i <= 50; i++) server.directory.removeMember(group, id(i * 13 + 5));
  for (let i = 1; i <= 50; i++) server.directory.putUser(user(STAFF + i), [group]);
  for (let i = 1; i <= 500; i++) server.directory.putUser(user(900_000 + i, { displayName: `Pupil ${i}`, department: 'Year 9' }));
  server.resetStats();
  t0 = performance.now();
  const second = await sync.sync();
  const secondMs = performance.now() - t0;
  const secondDir = directoryRequests(server.stats.byTarget);
  const secondAll = server.stats.requests;
  await server.stop();
  sqlite?.close();

  console.log(`\nDirectory sync (${STAFF.toLocaleString('en-GB')} staff in the group; store: ${sp ? 'SharePoint lists' : 'SQLite'})`);
  console.log(`  first sync:  ${first.read}, ${firstDir} directory requests (${first.plan.added.length} added) in ${(firstMs / 1000).toFixed(1)} s; ${firstAll - firstDir} store requests`);
  console.log(`  second sync: ${second.read}, ${secondDir} directory requests (${second.plan.added.length} added, ${second.plan.updated.length} updated, ${second.plan.left.length} left; 500 pupils' changes read and ignored) in ${(secondMs / 1000).toFixed(1)} s; ${secondAll - secondDir} store requests`);
}

const INSTALLS = Number(process.env.BENCH_INSTALLS ?? 300);

/** Installs per second under Graph's Teams limits: see the method above. */
async function installsUnderLimits() {
  const h = await new Harness({ m365: {}, store: 'sharepoint', graph: { latencyMs: 50, pageSize: 200 } }).start();
  const graph = h.graph!;
  const staff = Array.from({ length: INSTALLS }, (_, i) => ({ id: `70000000-0000-4000-8000-${String(i).padStart(12, '0')}`, schoolId: 'larkfield-primary', name: `Never Opened ${i}`, email: `n${i}@x.example`, department: `School ${i % 7}`, jobTitle: 'Teacher', roles: [] as [] }));
  await h.addStaff(staff);
  console.log(`Installing for ${INSTALLS} people who never opened the app, at Graph's Teams limits (+50 ms per Graph request)…`);
  const before = h.tenant!.installsMade;
  graph.resetStats();
  const t0 = performance.now();
  const deadline = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
  await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: demoPolicyVersions[1].id, deadline });
  const [campaign] = await h.app.store.campaigns.listCampaigns();
  for (;;) {
    const ready = (await h.app.store.campaigns.getCampaign(campaign.id))?.audienceStatus === 'ready';
    const queued = (await h.app.store.campaigns.countRecipients(campaign.id)).filter((c) => c.state === 'queued').reduce((a, c) => a + c.count, 0);
    if (ready && queued === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const installs = h.tenant!.installsMade - before;
  const teams = ['appCatalogs.get', 'installedApps.post', 'installedApps.get', 'installedApps.chat'].map((k) => [k, graph.stats.byKind[k] ?? 0] as const);
  const teamsRequests = teams.reduce((a, [, n]) => a + n, 0);
  await h.stop();
  console.log('\nProactive installs (Microsoft 365 mode, Graph\'s Teams limits unscaled: 30 GET/s and 30 POST/s per app per tenant)');
  console.log(`  installs per second under the limits:    ${(installs / seconds).toFixed(1)} (${installs} installs in ${seconds.toFixed(1)} s, launch to last card; ceiling 15/s: two GETs per person)`);
  console.log(`  Graph requests per install (Teams):      ${(teamsRequests / Math.max(1, installs)).toFixed(2)} (${teams.map(([k, n]) => `${k} ${n}`).join(', ')}; the 14 demo staff already have the app: their POSTs answer 409)`);
  console.log(`  429s answered (all routes):              ${graph.stats.status429}`);
}

async function main() {
  if (process.env.BENCH_ONLY === 'installs') return installsUnderLimits();
  await rosterBench();
  if (process.env.BENCH_ONLY === 'roster') return;
  const h = await new Harness({ store: 'sharepoint', graph: { latencyMs: 50, pageSize: 200 } }).start();
  const graph = h.graph!;
  const count = () => ({ top: graph.stats.requests, inner: graph.stats.innerRequests });

  console.log(`Preparing ${DECISIONS} requests (50 ms per Graph request)…`);
  const pending: any[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    const res = await h.invoke(people.requester, 'request.submit', validForm());
    await h.settle();
    const card = h.connector.cardsFor(people.ictLeader.id).at(-1);
    const data = actionsOf(card).find((a: any) => a.verb === 'approval.approve').data;
    if (!res.card || !data) throw new Error('no approval card');
    pending.push(data);
  }

  // What the requests are, summed over the decisions: "items.get CS_Jobs", "batch[PATCH CS_Jobs ×3]"…
  const decisionTargets: Record<string, number> = {};
  const addTargets = (into: Record<string, number>) => {
    for (const [k, n] of Object.entries(graph.stats.byTarget)) into[k] = (into[k] ?? 0) + n;
  };
  const latencies: number[] = [];
  let during = 0;
  let withFollowUp = 0;
  let innerDuring = 0;
  for (const data of pending) {
    graph.resetStats();
    const t0 = performance.now();
    const res = await h.invoke(people.ictLeader, 'approval.approve', { ...data, signature: people.ictLeader.name });
    latencies.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`invoke ${res.status}`);
    during += count().top;
    innerDuring += count().inner;
    await h.settle();
    withFollowUp += count().top;
    addTargets(decisionTargets);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];

  // 1,000 declarations written at once (e.g. last year's paper forms).
  const v = (await h.app.store.policies.getVersion(demoPolicyVersions[1].id))!;
  const now = new Date().toISOString();
  const ds = Array.from({ length: 1000 }, (_, i) => ({
    id: `bench-dec-${i}`, schoolId: v.schoolId, signerId: `50000000-0000-4000-8000-${String(i).padStart(12, '0')}`, signerName: `Paper ${i}`, typedName: `Paper ${i}`,
    versionId: v.id, policyId: v.policyId, versionLabel: v.versionLabel, contentHash: v.contentHash, campaignId: null, signedAt: now,
  }));
  graph.resetStats();
  await h.app.store.policies.importDeclarations(ds, { id: 'bench-import', schoolId: v.schoolId, entityType: 'declaration', entityId: 'bench-import', actorId: 'bench', actorName: 'bench', action: 'declaration.import', at: now, before: null, after: null });
  const perThousand = count();

  // Progress reads: a 14-person campaign, then the same read once 400 more people are in a second campaign.
  const progressCost = async () => {
    graph.resetStats();
    await h.say(people.policyAdmin, 'campaign status');
    return count().top;
  };
  const deadline = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
  await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: v.id, deadline });
  await h.settle();
  const small = await progressCost();
  // One open campaign per version: close the first before launching the second.
  await h.say(people.policyAdmin, 'campaign close');
  await h.app.store.upsertStaff(Array.from({ length: 400 }, (_, i) => ({ id: `60000000-0000-4000-8000-${String(i).padStart(12, '0')}`, schoolId: v.schoolId, name: `Extra ${i}`, email: `e${i}@x.example`, department: `School ${i % 7}`, jobTitle: 'Teacher', roles: [] })));
  // Per campaign card: every Graph request from the launch until the last card has gone (audience pages,
  // recipients, send jobs, claims, attempts, deliveries, counters), over the cards sent.
  graph.resetStats();
  await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: v.id, deadline });
  await h.settle();
  const sending = count();
  const campaignTargets: Record<string, number> = {};
  addTargets(campaignTargets);
  const [big] = await h.app.store.campaigns.listCampaigns();
  const cardsSent = h.connector.calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && actionsOf(c.activity?.attachments?.[0]?.content).some((a: any) => a.verb === 'declaration.sign' && a.data?.campaignId === big.id)).length;
  const bigCount = (await h.app.store.campaigns.countRecipients(big.id)).reduce((a, c) => a + c.count, 0);
  const large = await progressCost();

  console.log(`Counting Graph requests of the idle app for ${IDLE_SECONDS} s…`);
  await h.settle();
  graph.resetStats();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idle = count();
  await h.stop();

  console.log('\nGraph benchmark (SharePoint store on the local Graph server, +50 ms per request)');
  console.log(`  Graph requests per decision:            ${(during / DECISIONS).toFixed(1)} until the approver has the answer (target ≤ 3); ${(innerDuring / DECISIONS).toFixed(1)} writes inside batches`);
  console.log(`                                          ${(withFollowUp / DECISIONS).toFixed(1)} including the next approver's card, sent-card records and reminder jobs`);
  console.log(`  Graph requests per 1,000 declarations:  ${perThousand.top} (${perThousand.inner} writes inside batches) (target ≤ 60)`);
  console.log(`  Graph requests per campaign card sent:  ${(sending.top / Math.max(1, cardsSent)).toFixed(1)} (${sending.top} requests, ${sending.inner} writes inside batches, for ${cardsSent} cards; target ≤ 3)`);
  console.log(`  Graph requests per progress read:       ${small} for 14 recipients, ${large} for ${bigCount} recipients (target: constant)`);
  console.log(`  Graph requests per idle hour:           ${((idle.top * 3600) / IDLE_SECONDS).toFixed(0)} (${idle.top} in ${IDLE_SECONDS} s, scaled; target ≤ 120)`);
  const breakdown = (label: string, targets: Record<string, number>, per: number) => {
    console.log(`  ${label}`);
    for (const [k, n] of Object.entries(targets).sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${(n / per).toFixed(2).padStart(6)}  ${k}`);
  };
  breakdown('per decision, by what was asked:', decisionTargets, DECISIONS);
  breakdown('per campaign card, by what was asked:', campaignTargets, Math.max(1, cardsSent));
  console.log(`  decision end to end:                    p50 ${pct(50).toFixed(0)} ms   p99 ${pct(99).toFixed(0)} ms over ${DECISIONS} decisions`);
  await installsUnderLimits();
}

void main();
