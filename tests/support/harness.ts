import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPeople, demoSchool } from '../../src/adapters/demo-school';
import type { StaffMember } from '../../src/domain/people';
import { createApp, type CountersignApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { FakeConnector, type FakeConnectorOptions } from './fake-connector';
import type { Clock } from '../../src/ports/clock';
import type { LocalGraphServer, LocalGraphServerOptions } from './graph-server';
import { sharePointUnderTest } from '../contract/sharepoint-harness';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private t = Date.now()) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
  set(d: Date) {
    this.t = d.getTime();
  }
}

export interface HarnessOptions {
  connector?: FakeConnectorOptions;
  /** Which store adapter to run on; SharePoint runs on a fresh local Graph server. */
  store?: 'sqlite' | 'sharepoint';
  graph?: LocalGraphServerOptions;
  env?: Record<string, string>;
  clock?: Clock;
}

export const people = demoPeople;

/**
 * The app as it runs in embedded mode, on a free port, with its connector
 * pointed at a local FakeConnector. Tests talk to it only over HTTP.
 */
export class Harness {
  readonly connector: FakeConnector;

  constructor(private readonly options: HarnessOptions = {}) {
    this.connector = new FakeConnector(options.connector);
  }
  app!: CountersignApp;
  graph?: LocalGraphServer;
  baseUrl = '';
  private dir = '';
  private seq = 0;
  readonly logs: string[] = [];

  async start() {
    await this.connector.start();
    this.dir = mkdtempSync(join(tmpdir(), 'countersign-test-'));
    let store;
    if (this.options.store === 'sharepoint') {
      const sp = await sharePointUnderTest({ strictIndexing: true, pageSize: 50, ...this.options.graph });
      this.graph = sp.server;
      store = sp.store;
    }
    const secret = this.options.store === 'sharepoint' ? { LINK_SIGNING_SECRET: 'test-link-secret-test-link-secret-0123' } : {};
    const config = loadConfig({ COUNTERSIGN_MODE: 'embedded', PORT: '0', DATA_DIR: this.dir, ...secret, ...this.options.env });
    this.app = createApp(config, { log: (m) => this.logs.push(m), clock: this.options.clock, store });
    const port = await this.app.listen(0);
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop() {
    await this.app.close();
    await this.connector.stop();
    await this.graph?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** An activity from `who`'s personal chat, as Teams sends it. */
  activity(who: Pick<StaffMember, 'id' | 'name'>, extra: Record<string, unknown>) {
    const conversationId = `a:conv-${who.id}`;
    this.connector.owners.set(conversationId, who.id);
    return {
      id: `act-${++this.seq}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      from: { id: `29:${who.id}`, aadObjectId: who.id, name: who.name },
      recipient: { id: '28:countersign', name: 'Countersign' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: demoSchool.tenantId },
      channelData: { tenant: { id: demoSchool.tenantId } },
      ...extra,
    };
  }

  async post(body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* a non-JSON body is returned as text for the test to inspect */
    }
    return { status: res.status, body: parsed };
  }

  /** Sends a chat message and returns the cards the bot replied with. */
  async say(who: Pick<StaffMember, 'id' | 'name'>, text: string): Promise<any[]> {
    const before = this.connector.calls.length;
    const res = await this.post(this.activity(who, { type: 'message', text }));
    if (res.status >= 300) throw new Error(`message failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this.connector.calls
      .slice(before)
      .filter((c) => c.kind === 'reply' || c.kind === 'send')
      .flatMap((c) => (c.activity?.attachments ?? []).map((a: any) => a.content));
  }

  /** Clicks an Action.Execute button: returns the HTTP status and the card that replaces it. */
  async invoke(who: Pick<StaffMember, 'id' | 'name'>, verb: string, data: Record<string, unknown>) {
    const res = await this.post(
      this.activity(who, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } }),
    );
    return { status: res.status, card: res.body?.value, body: res.body };
  }

  /** Waits until every message a change implied has left the job queue. */
  idle() {
    return this.settle();
  }

  /** Waits until the durable job queue has nothing left to run now. */
  async settle(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    // With the real clock the server's own worker runs everything: wait until it sleeps with nothing due
    // within a minute, without asking the store (on SharePoint every look is a Graph request, and the
    // benchmarks count those). A clock the test moves by hand does not wake the worker, so then run what
    // fell due here.
    if (!this.options.clock) {
      while (!this.app.runner.quiet(60_000)) {
        if (Date.now() > deadline) throw new Error('jobs did not settle');
        await new Promise((r) => setTimeout(r, 5));
      }
      return;
    }
    for (;;) {
      while (this.app.runner.busy) await new Promise((r) => setTimeout(r, 5));
      const ran = await this.app.runner.drain();
      if (ran) continue;
      if (this.app.runner.busy) continue;
      const due = await this.app.store.jobs.nextDueAt();
      if (!due || Date.parse(due) > this.options.clock.now().getTime() + 60_000) return;
      if (Date.now() > deadline) throw new Error('jobs did not settle');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

}
