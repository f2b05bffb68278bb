/**
 * Benchmark: from a decision invoke to the next approver's card arriving at
 * the connector, in embedded mode (SQLite), through the real HTTP endpoint.
 * It prints figures; it never passes or fails.
 *
 * Method: N requests are submitted first. Latency: for each request in turn,
 * the ICT leader's Approve is posted to /api/messages and the clock stops when
 * the fake connector receives the head teacher's card for that request.
 * Throughput: the same measured with 16 decisions in flight at once.
 * The rate gate is scaled ×1000 (see below), so the figures are Countersign's own.
 */
import { performance } from 'node:perf_hooks';
import { validForm } from '../tests/support/forms';
import { Harness, people } from '../tests/support/harness';
import { actionsOf } from '../tests/support/validate-card';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = 16;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  // Every card here goes to the same two approvers. Teams allows one conversation 60 messages per
  // 30 s, so with the real limits this would measure Teams' pacing, not Countersign: the bot's rate
  // gate is scaled ×1000 (the fake connector enforces no limits in this benchmark).
  const h = await new Harness({ env: { CONNECTOR_RATE_SCALE: '1000' } }).start();
  const arrivals = new Map<string, () => void>();
  h.connector.onCall((c) => {
    if (h.connector.owners.get(c.conversationId) !== people.headTeacher.id) return;
    for (const att of c.activity?.attachments ?? []) {
      const approve = actionsOf(att.content).find((a: any) => a.verb === 'approval.approve');
      const done = approve && arrivals.get(approve.data.requestId);
      if (done) done();
    }
  });

  const submitOne = async () => {
    const res = await h.invoke(people.requester, 'request.submit', validForm());
    const withdraw = actionsOf(res.card).find((a: any) => a.verb === 'request.withdraw');
    await h.idle();
    const card = h.connector.cardsFor(people.ictLeader.id).at(-1);
    const data = actionsOf(card).find((a: any) => a.verb === 'approval.approve').data;
    if (data.requestId !== withdraw.data.requestId) throw new Error('card mismatch');
    return data;
  };

  const decideAndWait = async (data: any) => {
    const arrived = new Promise<void>((ok) => arrivals.set(data.requestId, ok));
    const t0 = performance.now();
    const res = await h.invoke(people.ictLeader, 'approval.approve', { ...data, signature: 'Gareth Lloyd', comment: '' });
    if (res.status !== 200) throw new Error(`invoke ${res.status}`);
    await arrived;
    arrivals.delete(data.requestId);
    return performance.now() - t0;
  };

  console.log(`Preparing ${2 * N} requests…`);
  const first: any[] = [];
  for (let i = 0; i < N; i++) first.push(await submitOne());
  const second: any[] = [];
  for (let i = 0; i < N; i++) second.push(await submitOne());

  const latencies: number[] = [];
  for (const data of first) latencies.push(await decideAndWait(data));
  latencies.sort((a, b) => a - b);

  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < second.length) await decideAndWait(second[next++]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await h.stop();

  console.log('\nApproval benchmark (embedded store: SQLite file; local fake connector; HTTP on loopback; rate gate ×1000)');
  console.log(`  decisions measured one at a time:  ${N}`);
  console.log(`  decision → next approver's card:   p50 ${pct(latencies, 50).toFixed(1)} ms   p99 ${pct(latencies, 99).toFixed(1)} ms   max ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log(`  throughput, ${CONCURRENCY} in flight:         ${(N / seconds).toFixed(0)} decisions/s (${N} decisions in ${seconds.toFixed(2)} s, each ending when the next card arrived)`);
  console.log('  target: p99 ≤ 300 ms on this machine');
}

void main();
