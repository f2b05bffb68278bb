import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPeople, demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { demoPolicy, demoPolicyVersions } from '../../src/adapters/demo-policy';
import { TeamsAppInstaller } from '../../src/adapters/graph/teams-app-installer';
import { BotTokenIssuer } from './bot-tokens';
import { m365Env } from './m365-env';
import { TeamsTenant } from './teams-tenant';
import { SITE, tokenProvider } from '../contract/sharepoint-harness';
import type { StaffMember } from '../../src/domain/people';
import { createApp, type CountersignApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/logging';
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
  /**
   * The Microsoft 365 mode end to end: COUNTERSIGN_MODE=m365 on the SharePoint store (local Graph server),
   * connector auth on in both directions (activities signed by a local Bot Framework issuer, the fake
   * connector refusing requests without the bot's token), and a Teams tenant shared by the Graph server
   * and the connector, so a person is reachable only once the app is installed for them. The demo staff
   * are the directory (with their roles) and the demo policy is published, as an admin would have done.
   */
  m365?: {
    /** People who already have the app (they opened it); the demo staff are added on start, having written to the bot. */
    installedFor?: Iterable<string>;
    /** Multiplies Teams' and Graph's limits on both sides (CONNECTOR_RATE_SCALE), to keep long runs short. */
    scale?: number;
    /** Multiplies Graph's Teams limits alone, on both sides (the Graph server and the installer); default `scale`. */
    graphScale?: number;
  };
}

/** The Teams app as the manifest names it (TEAMS_APP_ID) and as the organisation's catalog lists it (another id). */
export const TEAMS_APP = { manifestId: '44444444-4444-4444-8444-444444444444', catalogId: 'b1c5353a-7aca-41b3-830f-27d5218fe0e5' } as const;

export const people = demoPeople;

/**
 * The app as it runs in embedded mode, on a free port, with its connector
 * pointed at a local FakeConnector. Tests talk to it only over HTTP.
 */
export class Harness {
  readonly connector: FakeConnector;

  /** The M365 mode's Teams tenant (installs), shared by the Graph server and the connector. */
  readonly tenant?: TeamsTenant;
  private readonly issuer?: BotTokenIssuer;

  constructor(private readonly options: HarnessOptions = {}) {
    if (options.m365) {
      this.tenant = new TeamsTenant(m365Env.BOT_ID, {
        apps: [{ id: TEAMS_APP.catalogId, externalId: TEAMS_APP.manifestId, displayName: 'Countersign', distributionMethod: 'organization' }],
        installedFor: options.m365.installedFor,
      });
      this.issuer = new BotTokenIssuer();
      const issuer = this.issuer;
      this.connector = new FakeConnector({ ...options.connector, tenant: this.tenant, auth: (t) => issuer.acceptsBotToken(t, m365Env.BOT_ID) });
    } else {
      this.connector = new FakeConnector(options.connector);
    }
  }

  /** The tenant activities come from. */
  get tenantId(): string {
    return this.options.m365 ? m365Env.BOT_TENANT_ID : demoSchool.tenantId;
  }
  app!: CountersignApp;
  graph?: LocalGraphServer;
  baseUrl = '';
  private dir = '';
  private seq = 0;
  readonly logs: string[] = [];
  /** Every structured log line the app wrote (JSON, debug level up): what App Service would keep. */
  readonly logLines: string[] = [];
  private readonly logger = createLogger({ level: 'debug', destination: { write: (line: string) => void this.logLines.push(line) } });

  async start() {
    await this.connector.start();
    this.dir = mkdtempSync(join(tmpdir(), 'countersign-test-'));
    if (this.options.m365) return this.startM365(this.options.m365);
    let store;
    if (this.options.store === 'sharepoint') {
      const sp = await sharePointUnderTest({ strictIndexing: true, pageSize: 50, ...this.options.graph });
      this.graph = sp.server;
      store = sp.store;
    }
    const secret = this.options.store === 'sharepoint' ? { LINK_SIGNING_SECRET: 'test-link-secret-test-link-secret-0123' } : {};
    const config = loadConfig({ COUNTERSIGN_MODE: 'embedded', PORT: '0', DATA_DIR: this.dir, ...secret, ...this.options.env });
    this.app = createApp(config, { log: (m) => this.logs.push(m), logger: this.logger, clock: this.options.clock, store });
    const port = await this.app.listen(0);
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  /** The Microsoft 365 mode as main.ts builds it, with Entra and Teams replaced by the local servers. */
  private async startM365(m: NonNullable<HarnessOptions['m365']>) {
    const scale = m.scale ?? 1;
    await this.issuer!.start();
    const graphScale = m.graphScale ?? scale;
    const sp = await sharePointUnderTest({ strictIndexing: true, pageSize: 50, ...this.options.graph, teams: { tenant: this.tenant!, scale: graphScale } });
    this.graph = sp.server;
    const config = loadConfig({
      ...m365Env,
      PORT: '0',
      DATA_DIR: this.dir,
      STORE: 'sharepoint',
      SHAREPOINT_SITE_ID: SITE,
      GRAPH_BASE_URL: sp.baseUrl,
      GRAPH_TENANT_ID: m365Env.BOT_TENANT_ID,
      GRAPH_CLIENT_ID: m365Env.AAD_APP_CLIENT_ID,
      GRAPH_CLIENT_SECRET: 'not-a-real-secret',
      TEAMS_APP_ID: TEAMS_APP.manifestId,
      CONNECTOR_SERVICE_URL: this.connector.url,
      CONNECTOR_RATE_SCALE: String(scale),
      ...this.options.env,
    });
    const appInstaller = new TeamsAppInstaller({ baseUrl: sp.baseUrl, tokenProvider, manifestId: config.teamsApp!.manifestId, catalogId: config.teamsApp!.catalogId, scale: m.graphScale ?? config.rateScale, log: (msg) => this.logs.push(msg) });
    this.app = createApp(config, {
      log: (msg) => this.logs.push(msg),
      logger: this.logger,
      clock: this.options.clock,
      store: sp.store,
      appInstaller,
      botSigningKeysUrl: this.issuer!.metadataUrl,
      botCredentials: this.issuer!.credentialsFor(m365Env.BOT_ID),
    });
    // The directory and the policy an admin would have set up; the demo staff have written to the bot, so they have the app.
    const staff = demoStaff.map((s) => ({ ...s, schoolId: config.schoolId }));
    await this.app.store.upsertStaff(staff);
    for (const s of staff) this.tenant!.install(s.id, TEAMS_APP.catalogId);
    for (const v of demoPolicyVersions) await this.app.declarations.publish({ ...demoPolicy, schoolId: config.schoolId }, v.id, v.content);
    const port = await this.app.listen(0);
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  /** People in the tenant's directory (Graph knows them) and in Countersign's, as a directory sync would put them. */
  async addStaff(staff: StaffMember[]) {
    await this.app.store.upsertStaff(staff);
    for (const s of staff) this.tenant?.users.add(s.id);
  }

  async stop() {
    await this.app.close();
    await this.connector.stop();
    await this.graph?.stop();
    await this.issuer?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** An activity from `who`'s personal chat, as Teams sends it. */
  activity(who: Pick<StaffMember, 'id' | 'name'>, extra: Record<string, unknown>) {
    const conversationId = this.connector.conversationIdFor(who.id);
    this.connector.owners.set(conversationId, who.id);
    // Someone writing to the bot has the app.
    this.tenant?.install(who.id, TEAMS_APP.catalogId);
    const tenantId = this.tenantId;
    return {
      id: `act-${++this.seq}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      from: { id: `29:${who.id}`, aadObjectId: who.id, name: who.name },
      recipient: { id: '28:countersign', name: 'Countersign' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId },
      channelData: { tenant: { id: tenantId } },
      ...extra,
    };
  }

  /**
   * What Teams sends when Countersign is added to or removed from a team: a conversationUpdate in the
   * team's General channel (whose conversation id is the team id), the bot in membersAdded or membersRemoved.
   */
  teamUpdate(team: { id: string; name: string; aadGroupId?: string }, change: 'added' | 'removed', extra: Record<string, unknown> = {}) {
    const bot = { id: '28:countersign', name: 'Countersign' };
    return {
      id: `act-${++this.seq}`,
      timestamp: new Date().toISOString(),
      type: 'conversationUpdate',
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      from: { id: '29:the-team-owner', aadObjectId: 'the-team-owner' },
      recipient: bot,
      conversation: { id: team.id, conversationType: 'channel', isGroup: true, tenantId: this.tenantId },
      channelData: { tenant: { id: this.tenantId }, eventType: change === 'added' ? 'teamMemberAdded' : 'teamMemberRemoved', team },
      ...(change === 'added' ? { membersAdded: [bot] } : { membersRemoved: [bot] }),
      ...extra,
    };
  }

  async post(body: unknown): Promise<{ status: number; body: any }> {
    // Auth on (M365 mode): signed as the Bot Connector signs what it sends to the bot.
    const auth: Record<string, string> = this.issuer ? { authorization: `Bearer ${this.issuer.sign(this.issuer.claims(m365Env.BOT_ID, this.connector.url))}` } : {};
    const res = await fetch(`${this.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
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
