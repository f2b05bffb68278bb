import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, test } from 'vitest';
import { demoPeople, demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { FakeConnector } from '../support/fake-connector';
import { validForm } from '../support/forms';

/**
 * The real server process (src/server/main.ts) is stopped with SIGTERM (App Service, a scale-in, a
 * deployment) or SIGINT (Ctrl-C on npm start) while a job is sending: it stops taking work, finishes or
 * hands back the job, and exits 0 within 10 s. Started again on the same data, nothing was lost or sent twice.
 */
const root = resolve(__dirname, '../..');
let dir = '';
let connector = new FakeConnector();
let child: ChildProcess | undefined;
let port = 0;

afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await connector.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startServer(): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', DATA_DIR: dir, CONNECTOR_SERVICE_URL: connector.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  return new Promise((ok, fail) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) ok(void (port = Number(m[1])));
    });
    proc.on('exit', (code, signal) => fail(new Error(`server exited ${code ?? signal}: ${out}`)));
  });
}

type Person = { id: string; name: string };
async function click(who: Person, verb: string, data: Record<string, unknown>): Promise<any> {
  const conversationId = `a:conv-${who.id}`;
  connector.owners.set(conversationId, who.id);
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data } },
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: `29:${who.id}`, aadObjectId: who.id, name: who.name },
      recipient: { id: '28:countersign', name: 'Countersign' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: demoSchool.tenantId },
      channelData: { tenant: { id: demoSchool.tenantId } },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()).value;
}

/** How many approval cards for `ref` reached `userId`. */
const approvalCards = (userId: string, ref: string) =>
  connector.calls.filter((c) => {
    if ((c.kind !== 'send' && c.kind !== 'reply') || connector.owners.get(c.conversationId) !== userId) return false;
    const card = c.activity?.attachments?.[0]?.content;
    return String(card?.body?.[0]?.text ?? '').startsWith('Approval needed') && JSON.stringify(card).includes(ref);
  }).length;

const until = async (what: () => boolean, ms: number, label: string) => {
  for (const end = Date.now() + ms; !what(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Signals the server and resolves with how it exited and how long it took. */
async function signal(sig: NodeJS.Signals) {
  const proc = child!;
  proc.removeAllListeners('exit');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, s) => r({ code, signal: s })));
  const t = Date.now();
  proc.kill(sig);
  return { exited: exited.then((e) => ({ ...e, ms: Date.now() - t })) };
}

/** A request that arrives after the signal: refused (or its connection closed), never a 5xx with a stack. */
async function lateRequest(): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = await res.text();
    expect(body).not.toMatch(/\bat \w|Error/);
    return String(res.status);
  } catch (e) {
    return String(((e as Error).cause as { code?: string })?.code ?? (e as Error).message);
  }
}

const openMessageJobs = () => {
  const db = new Database(join(dir, 'countersign.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE kind = 'request.notify' AND status = 'queued'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

async function submitWhileSending(sendDelayMs: number) {
  dir = mkdtempSync(join(tmpdir(), 'countersign-shutdown-'));
  connector = new FakeConnector();
  await connector.start();
  await startServer();
  const requester = demoStaff.find((s) => s.roles.length === 0)!;
  connector.sendDelayMs = sendDelayMs;
  const card = await click(requester, 'request.submit', validForm({ platform: 'Shutdown test' }));
  const ref = JSON.stringify(card).match(/CS-\d{4}/)![0];
  // The job sending the ICT leader's approval card is in flight: its send is held by the connector.
  await until(() => connector.sendsHeld > 0, 10_000, 'the approval card to be on the wire');
  return ref;
}

test.each(['SIGTERM', 'SIGINT'] as const)('%s while a job is sending: no new connections, the job finishes, exit 0 within 10 s, and after a restart the card went once', async (sig) => {
  const ref = await submitWhileSending(1_500);
  const { exited } = await signal(sig);
  await new Promise((r) => setTimeout(r, 200));
  expect(await lateRequest()).toMatch(/ECONNREFUSED|ECONNRESET|SocketError|other side closed|fetch failed/);
  const exit = await exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exit.ms).toBeLessThan(10_000);
  // It waited for the send rather than cutting it off.
  expect(approvalCards(demoPeople.ictLeader.id, ref)).toBe(1);
  expect(openMessageJobs()).toBe(0);

  connector.sendDelayMs = 0;
  await startServer();
  await new Promise((r) => setTimeout(r, 1_500));
  expect(approvalCards(demoPeople.ictLeader.id, ref)).toBe(1);
  expect(openMessageJobs()).toBe(0);
}, 40_000);

test('SIGTERM while a send outlasts the grace: the job is handed back, exit 0 within 10 s, and the next start finishes it without sending twice', async () => {
  const ref = await submitWhileSending(12_000);
  const { exited } = await signal('SIGTERM');
  const exit = await exited;
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exit.ms).toBeLessThan(10_000);
  // Handed back: still to do, not left waiting out its lease.
  expect(openMessageJobs()).toBe(1);

  connector.sendDelayMs = 0;
  await startServer();
  // The next start takes the job at once; the card already on the wire at the exit is never sent again.
  await until(() => openMessageJobs() === 0, 10_000, 'the handed-back job to finish');
  await until(() => connector.sendsHeld === 0, 15_000, 'the held send to land');
  expect(approvalCards(demoPeople.ictLeader.id, ref)).toBe(1);
}, 60_000);
