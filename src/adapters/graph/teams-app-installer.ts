import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppInstaller, Reach } from '../../ports/app-installer';
import { createGraphClient } from '../sharepoint/graph-client';
import type { TokenProvider } from '../sharepoint/msal-token';
import { graphStatus } from '../sharepoint/errors';
import { parseRetryAfter } from '../../resilience/retry.policy';

/**
 * Proactive installation of Countersign for one person, through Microsoft Graph, as Microsoft's
 * guidance describes it (learn.microsoft.com, "Send proactive installation messages",
 * msteams-platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages.md):
 *
 * 1. The app's catalog id, once per process: `GET /appCatalogs/teamsApps?$filter=externalId eq '{manifest id}'`.
 *    An app published to the organisation's catalog gets a catalog id that differs from the manifest id;
 *    for an app in the Teams Store the catalog id IS the manifest id ("the externalId must not be used"),
 *    so an empty answer means the manifest id. This read needs AppCatalog.Read.All; a deployment that
 *    sets TEAMS_APP_CATALOG_ID skips it (and the permission).
 * 2. `POST /users/{id}/teamwork/installedApps` with `teamsApp@odata.bind` (application permission
 *    TeamsAppInstallation.ReadWriteSelfForUser.All): 201 when installed now, 409 Conflict when the app
 *    already is (success here, as in Company Communicator's TeamsConversationActivity).
 * 3. The installation's id: `GET /users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '{catalog id}'`
 *    (the POST answers with no body, so its id is not known otherwise).
 * 4. The chat: `GET /users/{id}/teamwork/installedApps/{installation id}/chat`; its `id` is the
 *    conversation id the bot sends to, with the Teams service URL.
 *
 * So a person costs three Graph requests, and nothing is read twice (the catalog id is cached).
 *
 * Graph's Teams limits (learn.microsoft.com, "Microsoft Graph service-specific throttling limits",
 * Microsoft Teams service limits): GET installedApps/appCatalogs 30 rps and POST installedApps 30 rps
 * per app per tenant. The installer paces itself under both, so a campaign runs at the ceiling
 * (about 15 people a second: two GETs each) instead of into 429s; a 429 that comes anyway is reported
 * as `throttled` with Graph's Retry-After, and the job queue waits it out. No retry happens here:
 * the Graph client is built with no RetryHandler retries (one retry layer: the job queue).
 */
export interface TeamsAppInstallerOptions {
  /** Graph's origin, e.g. https://graph.microsoft.com, or a local server in tests. */
  baseUrl: string;
  /** App-only tokens for the Entra app named in the manifest's webApplicationInfo.id (self-install is granted to it). */
  tokenProvider: TokenProvider;
  /** The manifest's `id` (TEAMS_APP_ID). */
  manifestId: string;
  /** The organisation catalog's id for the app, when known (TEAMS_APP_CATALOG_ID): saves the lookup and AppCatalog.Read.All. */
  catalogId?: string;
  /** Requests per second per kind; default Graph's Teams limits. Multiplied by `scale` (tests and benchmarks only). */
  limits?: { readsPerSecond: number; writesPerSecond: number };
  scale?: number;
  log?: (msg: string) => void;
}

/** Graph's published Teams limits per app per tenant (see above). */
export const GRAPH_TEAMS_LIMITS = { readsPerSecond: 30, writesPerSecond: 30 };

export class TeamsAppInstaller implements AppInstaller {
  private readonly client: Client;
  private catalogId: Promise<string> | undefined;
  private readonly reads: Pace;
  private readonly writes: Pace;

  constructor(private readonly o: TeamsAppInstallerOptions) {
    // maxRetries 0: a throttled or failed request comes back at once as a result; the job queue retries.
    this.client = createGraphClient({ baseUrl: o.baseUrl, tokenProvider: o.tokenProvider, maxRetries: 0 });
    const l = o.limits ?? GRAPH_TEAMS_LIMITS;
    const scale = o.scale ?? 1;
    this.reads = new Pace(Math.max(1, Math.round(l.readsPerSecond * scale)), 1000);
    this.writes = new Pace(Math.max(1, Math.round(l.writesPerSecond * scale)), 1000);
    if (o.catalogId) this.catalogId = Promise.resolve(o.catalogId);
  }

  async reach(userId: string): Promise<Reach> {
    let appId: string;
    try {
      appId = await this.appCatalogId();
    } catch (e) {
      const { status, code } = graphStatus(e);
      if (status === 401 || status === 403) {
        return { kind: 'failed', userId, reason: `Graph refused to read the app catalog (${status}${code ? ` ${code}` : ''}): grant the application permission AppCatalog.Read.All, or set TEAMS_APP_CATALOG_ID`, transient: false };
      }
      return this.classify(userId, e);
    }
    try {
      const user = `/users/${encodeURIComponent(userId)}/teamwork/installedApps`;
      let installedNow = true;
      try {
        await this.writes.run(() => this.client.api(user).post({ 'teamsApp@odata.bind': `${this.o.baseUrl}/v1.0/appCatalogs/teamsApps/${appId}` }));
      } catch (e) {
        // 409: already installed for this person (by them, by an admin's setup policy, or by our own earlier attempt whose answer was lost).
        if (graphStatus(e).status !== 409) throw e;
        installedNow = false;
      }
      const found = (await this.reads.run(() => this.client.api(user).expand('teamsApp').filter(`teamsApp/id eq '${appId}'`).get())) as { value?: Array<{ id?: string }> };
      const installationId = found?.value?.[0]?.id;
      // Graph installs asynchronously behind the 201 on rare occasions; the next attempt (a job retry) finds it.
      if (!installationId) return { kind: 'failed', userId, reason: 'the app was installed but Graph does not list the installation yet', transient: true };
      const chat = (await this.reads.run(() => this.client.api(`${user}/${encodeURIComponent(installationId)}/chat`).get())) as { id?: string };
      if (!chat?.id) return { kind: 'failed', userId, reason: 'Graph returned the installation without its chat', transient: true };
      return { kind: 'reachable', userId, chatId: chat.id, installedNow };
    } catch (e) {
      return this.classify(userId, e);
    }
  }

  /** The organisation catalog's id for our app: looked up once, and again only after a failed look-up. */
  private appCatalogId(): Promise<string> {
    this.catalogId ??= (async () => {
      const escaped = this.o.manifestId.replace(/'/g, "''");
      const res = (await this.reads.run(() => this.client.api('/appCatalogs/teamsApps').filter(`externalId eq '${escaped}'`).get())) as { value?: Array<{ id?: string }> };
      const id = res?.value?.[0]?.id;
      // None: a Teams Store app, whose catalog id is its manifest id.
      this.o.log?.(id ? `Teams app ${this.o.manifestId} is ${id} in the organisation's catalog` : `Teams app ${this.o.manifestId} is not in the organisation's catalog; using its manifest id (a Teams Store app)`);
      return id ?? this.o.manifestId;
    })();
    this.catalogId.catch(() => (this.catalogId = undefined));
    return this.catalogId;
  }

  /** Graph's answer as a closed result. Nothing above this sees a status code. */
  private classify(userId: string, e: unknown): Reach {
    const { status, code, message } = graphStatus(e);
    if (status === 429) {
      const retryAfter = parseRetryAfter((e as { headers?: { get?: (n: string) => string | null } })?.headers?.get?.('retry-after'), Date.now());
      return { kind: 'throttled', userId, retryAfterMs: retryAfter ?? 1000 };
    }
    if (status === 404) {
      // The user (left the school) or, rarely, the app: Graph says which in the message.
      return /app|teamsApp/i.test(message) && !/user/i.test(message)
        ? { kind: 'failed', userId, reason: `Graph does not know the Teams app ${this.o.manifestId}: publish it to the organisation's app catalog (${message})`, transient: false }
        : { kind: 'unknownPerson', userId, reason: 'the person is not in the directory any more' };
    }
    if (status === 401 || status === 403) {
      return { kind: 'failed', userId, reason: `Graph refused the installation (${status}${code ? ` ${code}` : ''}): the app needs the application permission TeamsAppInstallation.ReadWriteSelfForUser.All, granted by an admin`, transient: false };
    }
    // No answer (0, shown to us as 504), 5xx: an outage; the job tries again later.
    return { kind: 'failed', userId, reason: `Graph answered ${status || 'nothing'}${code ? ` ${code}` : ''} to the installation`, transient: status === 0 || status >= 500 };
  }
}

/**
 * Keeps requests of one kind under `max` per window, counted as Graph may count them: a request
 * counts from when it leaves until a whole window after its answer (the same rule as bot/rate-gate.ts,
 * which this folder may not import), so a slow answer never lets a burst through.
 */
class Pace {
  private stamps: number[] = [];
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  async run<T>(request: () => Promise<T>): Promise<T> {
    await new Promise<void>((go) => {
      this.waiters.push(go);
      this.pump();
    });
    try {
      return await request();
    } finally {
      this.inFlight--;
      this.stamps.push(Date.now());
      this.pump();
    }
  }

  private pump() {
    const now = Date.now();
    while (this.stamps.length && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
    while (this.waiters.length && this.stamps.length + this.inFlight < this.max) {
      this.inFlight++;
      this.waiters.shift()!();
    }
    // Full with answers in the window: wake when the oldest leaves it. Full with requests in flight: their answers wake us.
    if (this.waiters.length && this.stamps.length && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, this.stamps[0]! + this.windowMs - now));
      this.timer.unref?.();
    }
  }
}
