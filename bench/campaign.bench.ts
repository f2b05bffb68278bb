/**
 * Benchmark: a campaign to 30,000 staff against the local connector enforcing
 * Teams' limits. It prints figures; it never passes or fails.
 *
 * Method: the real server runs as its own process (so its RSS is its own),
 * with the connector's limits and the bot's rate gate both scaled by SCALE to
 * keep the run short (Teams: 50 requests/s per app per tenant; here 50×SCALE).
 * Recipients have known conversations (stored references), as after a first
 * campaign, so each card is one request. The achieved rate is the number of
 * cards delivered divided by the time from the first to the last delivery,
 * compared with the enforced ceiling. It is also given from the moment the
 * audience is fully booked: until then the server spends its CPU booking it
 * (about 1.5 s for 30,000 people), which at ×10 weighs ten times what it does at
 * Teams' real pace. Launch time is the round trip of the
 * `campaign.launch` invoke: it books the campaign and one audience job and
 * answers (Azure Bot Service gives up on a turn after 10–15 s); the audience is
 * then read in pages by the job, and "audience ready" is when the status card
 * stops saying "Preparing the audience" (polled every 250 ms). Progress time is the round trip of a
 * `campaign status` invoke (reading and deriving progress over 30,000 records,
 * plus building the card), median of 20, taken after the fan-out.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoPolicyVersions } from '../src/adapters/demo-policy';
import { demoPeople, demoSchool, demoStaff } from '../src/adapters/demo-school';
import { SqliteStore } from '../src/adapters/sqlite.store';
import { FakeConnector, TEAMS_LIMITS } from '../tests/support/fake-connector';
import { actionsOf } from '../tests/support/validate-card';

const N = Number(process.env.BENCH_RECIPIENTS ?? 30_000);
/**
 * V8 limits for a small App Service plan. The live heap of a 30,000-card
 * campaign fits in 96 MB; without limits V8 collects lazily and RSS reached
 * about 380 MB here. Set BENCH_NODE_ARGS= (empty) to measure without them.
 */
const NODE_ARGS = process.env.BENCH_NODE_ARGS ?? '--max-old-space-size=96 --max-semi-space-size=1';
const SCALE = Number(process.env.BENCH_SCALE ?? 10);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-'));
  const connector = new FakeConnector({ limits: { ...TEAMS_LIMITS, scale: SCALE } });
  await connector.start();

  console.log(`Seeding ${N} staff with known conversations…`);
  const seed = new SqliteStore(join(dir, 'countersign.db'));
  const staff = Array.from({ length: N }, (_, i) => ({
    id: `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    schoolId: demoSchool.id,
    name: `Trust Staff ${i}`,
    email: `s${i}@trust.example`,
    department: `School ${String(i % 40).padStart(2, '0')}`,
    jobTitle: 'Teacher',
    roles: [] as never[],
  }));
  await seed.upsertStaff(staff);
  for (const s of [...staff, ...demoStaff]) {
    const conversationId = `a:conv-${s.id}`;
    connector.owners.set(conversationId, s.id);
    await seed.saveConversation({
      userId: s.id,
      conversationId,
      serviceUrl: connector.url,
      tenantId: demoSchool.tenantId,
      reference: JSON.stringify({ channelId: 'msteams', serviceUrl: connector.url, user: { id: `29:${s.id}`, aadObjectId: s.id }, bot: { id: '28:countersign' }, conversation: { id: conversationId, conversationType: 'personal', tenantId: demoSchool.tenantId } }),
      updatedAt: new Date().toISOString(),
    });
  }
  seed.close();

  // The server as it runs in production: the bundle, not TypeScript compiled at run time.
  execSync('npm run build:server', { stdio: 'inherit' });
  const server = spawn(process.execPath, [...NODE_ARGS.split(' ').filter(Boolean), 'dist/server.mjs'], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', DATA_DIR: dir, CONNECTOR_SERVICE_URL: connector.url, CONNECTOR_RATE_SCALE: String(SCALE) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((ok) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) ok(Number(m[1]));
    });
  });
  const admin = demoPeople.policyAdmin;
  const invoke = (verb: string, data: Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke', name: 'adaptiveCard/action', channelId: 'msteams', serviceUrl: connector.url,
        from: { id: `29:${admin.id}`, aadObjectId: admin.id, name: admin.name }, recipient: { id: '28:countersign' },
        conversation: { id: `a:conv-${admin.id}`, conversationType: 'personal', tenantId: demoSchool.tenantId },
        value: { action: { type: 'Action.Execute', verb, data } },
      }),
    });

  const delivered: number[] = [];
  const perUser = new Map<string, number>();
  connector.onCall((c) => {
    const sign = actionsOf(c.activity?.attachments?.[0]?.content).find((a: any) => a.verb === 'declaration.sign');
    if ((c.kind === 'send' || c.kind === 'reply') && sign?.data?.campaignId) {
      delivered.push(c.at);
      const user = connector.owners.get(c.conversationId)!;
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
  });

  const total = N + demoStaff.length;
  console.log(`Launching a campaign to ${total} people; limits ×${SCALE} (ceiling ${50 * SCALE} requests/s)…`);
  const launchWall = Date.now();
  const t0 = performance.now();
  const launched = await invoke('campaign.launch', { versionId: demoPolicyVersions[1].id, deadline: '2099-12-31' });
  const launchMs = performance.now() - t0;
  if (launched.status !== 200) throw new Error(`launch answered ${launched.status}`);
  if (!/Preparing the audience/.test(await launched.text())) throw new Error('launch did not answer with the audience being prepared');
  let audienceMs = NaN;
  let readyWall = NaN;
  for (;;) {
    const text = await (await invoke('campaign.status', {})).text();
    if (!/Preparing the audience/.test(text)) {
      audienceMs = performance.now() - t0;
      readyWall = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const during: number[] = [];
  while (perUser.size < total) {
    await new Promise((r) => setTimeout(r, 1000));
    if (during.length < 5) {
      const s = performance.now();
      await (await invoke('campaign.status', {})).text();
      during.push(performance.now() - s);
    }
    process.stdout.write(`\r  delivered ${perUser.size} / ${total}   `);
  }
  await new Promise((r) => setTimeout(r, 2000)); // let any duplicate arrive
  const after: number[] = [];
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    await (await invoke('campaign.status', {})).text();
    after.push(performance.now() - s);
  }
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const peakRss = Number(status.match(/VmHWM:\s+(\d+)/)![1]) / 1024;
  server.kill('SIGTERM');
  await connector.stop();
  rmSync(dir, { recursive: true, force: true });

  delivered.sort((a, b) => a - b);
  const seconds = (delivered.at(-1)! - delivered[0]) / 1000;
  const rate = (delivered.length - 1) / seconds;
  const ceiling = 50 * SCALE;
  const duplicates = [...perUser.values()].filter((n) => n > 1).length;
  const lost = total - perUser.size;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  console.log('\n\nCampaign benchmark (server in its own process; SQLite; local connector enforcing Teams limits ×' + SCALE + ')');
  console.log(`  recipients:                      ${total}`);
  console.log(`  server node flags:               ${NODE_ARGS || '(none)'}`);
  console.log(`  launch invoke answer:            ${launchMs.toFixed(0)} ms   (target ≤ 1,000 ms)`);
  console.log(`  audience ready (paged job):      ${(audienceMs / 1000).toFixed(1)} s after launch; first card ${((delivered[0]! - launchWall) / 1000).toFixed(1)} s after launch`);
  console.log(`  achieved send rate:              ${rate.toFixed(1)} cards/s over ${seconds.toFixed(1)} s`);
  console.log(`  enforced ceiling:                ${ceiling} requests/s`);
  console.log(`  achieved ÷ ceiling:              ${(rate / ceiling).toFixed(3)}   (target ≥ 0.98)`);
  const steady = delivered.filter((t) => t >= readyWall);
  const steadyRate = (steady.length - 1) / ((steady.at(-1)! - steady[0]!) / 1000);
  console.log(`  … once the audience is booked:   ${(steadyRate / ceiling).toFixed(3)}   (${steady.length} cards; the first ${((readyWall - launchWall) / 1000).toFixed(1)} s share the CPU with booking it)`);
  const share = connector.requests ? connector.throttled / connector.requests : 0;
  console.log(`  answered 429 by the connector:   ${connector.throttled} of ${connector.requests} requests = ${(share * 100).toFixed(3)}%   (target ≤ 0.1%)`);
  console.log(`  limits exceeded (per 429):       ${[...connector.violations].map(([label, n]) => `${label} × ${n}`).join(', ') || 'none'}`);
  console.log(`  duplicates / lost:               ${duplicates} / ${lost}   (target 0 / 0)`);
  console.log(`  server peak RSS:                 ${peakRss.toFixed(0)} MB   (target ≤ 200 MB)`);
  console.log(`  campaign progress (status card): median ${median(after).toFixed(1)} ms after fan-out, ${median(during).toFixed(1)} ms during   (target ≤ 200 ms)`);
}

void main();
