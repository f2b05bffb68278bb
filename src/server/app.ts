import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import express from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { CountersignBot } from '../../bot/countersign.bot';
import { TeamsNotifier } from '../../bot/teams.notifier';
import { BotTeamRoster } from '../../bot/team-roster';
import { ConnectorClients } from '../../bot/connector-clients';
import { demoSchool, demoStaff } from '../adapters/demo-school';
import { SqliteStore } from '../adapters/sqlite.store';
import { StoreDirectory } from '../adapters/store.directory';
import { demoPolicy, demoPolicyVersions } from '../adapters/demo-policy';
import { hmacLinkSigner, nodeHasher } from '../adapters/node-crypto';
import { RateGate, scaleLimits, TEAMS_RATE_LIMITS } from '../../bot/rate-gate';
import { RateGateMiddleware } from '../../bot/rate-gate.middleware';
import { CampaignService } from '../services/campaigns.service';
import { DeclarationService } from '../services/declarations.service';
import { ReceiptService } from '../services/receipt.service';
import { JobRunner } from '../services/job-runner';
import { systemClock, type Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { Store } from '../ports/store';
import type { PolicyStore } from '../ports/policy-store';
import type { CampaignStore } from '../ports/campaign-store';
import { VISIBILITY_MS, type JobQueue } from '../ports/job-queue';
import { AccountRequestService } from '../services/account-requests.service';
import { ConversationService } from '../services/conversations.service';
import { DemoInboxService } from '../services/demo-inbox.service';
import { RosterService } from '../services/roster.service';
import { RosterSyncService } from '../services/roster-sync.service';
import type { StaffSource } from '../ports/staff-source';
import { RolesService } from '../services/roles.service';
import { SqliteDemoInbox } from '../adapters/sqlite-demo-inbox';
import type { Config } from './config';
import { activityShape, tenantGuard } from './activity-guard';
import { answerClientErrors, errorHandler } from './error-handler';
import { signingKeysAt, tokenGuard } from './token-guard';
import { tabApi } from './api';
import { DevSessions } from './api/identity';
import { ssoAuthenticator } from './api/sso';
import { createLogger, requestLogging } from './logging';
import { securityHeaders } from './security-headers';
import { readinessProbe } from './readiness';
import type { Logger } from 'pino';

import type { AppStore } from './app-store';
import type { AppInstaller } from '../ports/app-installer';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
export type { AppStore };

export interface AppOverrides {
  /** A store built elsewhere (SharePoint connects asynchronously); default: the SQLite file. */
  store?: AppStore;
  clock?: Clock;
  ids?: IdSource;
  /** SQLite path; defaults to DATA_DIR/countersign.db. */
  dbPath?: string;
  /**
   * The app's own messages as plain text (tests read them). When given without `logger`, no JSON lines are
   * written: a test's output stays quiet.
   */
  log?: (msg: string) => void;
  /** Where the structured JSON lines go (main.ts's; a test's capturing one); default stdout, or none beside `log`. */
  logger?: Logger;
  /** Where Bot Framework publishes the keys that sign its tokens (OpenID metadata); tests serve their own. */
  botSigningKeysUrl?: string;
  /** The staff group (Graph), when STAFF_GROUP_ID is set; built by main.ts with the SharePoint store's Graph client. */
  staffSource?: StaffSource;
  /**
   * Where the bot gets its tokens for calling the Bot Connector; default Entra, from BOT_ID and BOT_PASSWORD.
   * Tests pass a local issuer's, as they pass botSigningKeysUrl for the other direction.
   */
  botCredentials?: ServiceClientCredentialsFactory;
  /**
   * Installs the app for people who have never opened it (Graph; built in main.ts like the SharePoint store,
   * since it shares its Graph settings). Used outside embedded mode only.
   */
  appInstaller?: AppInstaller;
}

/** How long a campaign export's download link works. */
const EXPORT_LINK_HOURS = 24;

/** How long /readyz reuses its answer: probes every second cost one look at the store and the queue per this. */
const READINESS_CACHE_MS = 10_000;
/** A readiness check slower than this counts as unavailable. */
const READINESS_TIMEOUT_MS = 3_000;

/** Largest request body accepted. Teams caps a message at about 28 KB, so this is generous. */
const BODY_LIMIT = '256kb';

/** The composition root: builds every adapter and service once and wires them to HTTP. */
export function createApp(config: Config, o: AppOverrides = {}) {
  const logger = o.logger ?? createLogger({ level: o.log ? 'silent' : config.logLevel });
  const log = (msg: string) => {
    logger.info(msg);
    o.log?.(msg);
  };
  const logError = (msg: string) => {
    logger.error(msg);
    o.log?.(msg);
  };
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? { next: () => randomUUID() };
  const store: AppStore = o.store ?? new SqliteStore(o.dbPath ?? join(config.dataDir, 'countersign.db'), { schoolId: config.schoolId });
  const embedded = config.mode === 'embedded';
  // The demo school's records carry the configured school id (the demo's own unless SCHOOL_ID says otherwise).
  const seededStaff = embedded ? seedDemoStaff(store, config.schoolId) : Promise.resolve();
  // One process owns an embedded SQLite file, so jobs it left running are ours to resume now.
  // SharePoint needs no such step: expired leases make jobs claimable by any instance.
  if (embedded && store instanceof SqliteStore) {
    const recovered = store.jobs.recoverAfterRestart();
    if (recovered) log(`resuming ${recovered} jobs left running by the last process`);
  }
  const secret = config.linkSecret ?? (store instanceof SqliteStore ? store.secret('links', () => randomBytes(32).toString('base64url')) : undefined);
  if (!secret) throw new Error('LINK_SIGNING_SECRET is required with this store');
  const links = hmacLinkSigner(secret);
  // Outside embedded mode PUBLIC_URL is required; in embedded mode it follows the port actually bound.
  let publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const policyLink = (userId: string, versionId: string) =>
    `${publicUrl}/policy/open?v=${encodeURIComponent(versionId)}&u=${encodeURIComponent(userId)}&s=${links.sign(`open:${versionId}:${userId}`)}`;
  const directory = new StoreDirectory(store);
  const conversations = new ConversationService(store, clock);
  // Embedded mode keeps every card sent to a demo person, since the Playground has chats for only a few of them.
  const inbox = embedded && store instanceof SqliteStore ? new DemoInboxService(new SqliteDemoInbox(store.db), clock, config.schoolId, new Set(demoStaff.map((s) => s.id))) : undefined;

  // Connector auth is off only in embedded mode, where the Agents Playground sends no tokens.
  const auth = new ConfigurationBotFrameworkAuthentication(
    embedded
      ? { MicrosoftAppId: '', MicrosoftAppPassword: '' }
      : {
          MicrosoftAppId: config.bot.appId,
          MicrosoftAppPassword: config.bot.password,
          MicrosoftAppTenantId: config.bot.tenantId,
          MicrosoftAppType: config.bot.type,
          ...(o.botSigningKeysUrl ? signingKeysAt(o.botSigningKeysUrl) : {}),
        },
    embedded ? undefined : o.botCredentials,
  );
  const adapter = new CloudAdapter(auth);
  const gate = new RateGate(scaleLimits(TEAMS_RATE_LIMITS, config.rateScale));
  adapter.use(new RateGateMiddleware(gate));
  adapter.onTurnError = async (ctx, error) => {
    logError(`turn failed: ${error.message}`);
    await ctx.sendActivity('Sorry, something went wrong on our side. Please try again in a moment.').catch(() => undefined);
  };

  const notifier = new TeamsNotifier({
    adapter,
    clients: new ConnectorClients(auth, embedded ? '' : config.bot.appId),
    botAppId: embedded ? '' : config.bot.appId,
    tenantId: embedded ? demoSchool.tenantId : config.bot.tenantId,
    defaultServiceUrl: config.connectorServiceUrl ?? (embedded ? undefined : 'https://smba.trafficmanager.net/teams/'),
    conversations,
    directory,
    gate,
    policyLink,
    timeZone: config.timeZone,
    log,
    inbox,
    installer: embedded ? undefined : o.appInstaller,
  });
  // TEAMS_APP_ID is optional: a tenant can instead pre-install the app for everyone with a Teams app setup policy
  // (learn.microsoft.com, "Manage app setup policies in Microsoft Teams"). Without either, Teams refuses a chat
  // with anyone who has not opened the app, and their cards fail with that reason: say so once, at start.
  if (!embedded && !o.appInstaller) {
    log(
      config.teamsApp
        ? 'TEAMS_APP_ID is set but there is no Graph access (STORE=sharepoint): people who have never opened the app cannot be reached'
        : 'TEAMS_APP_ID is not set: the app will not install itself, so only people who have the app (opened it, or given it by a setup policy) can be reached',
    );
  }
  let runner: JobRunner | undefined;
  const localDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: config.timeZone }).format(d);
  const requests = new AccountRequestService({
    store,
    directory,
    clock,
    ids,
    notifier,
    localDate,
    jobs: store.jobs,
    reminderSchoolDays: config.approvalReminders,
    log,
  });
  const declarations = new DeclarationService({ policies: store.policies, campaigns: store.campaigns, clock, ids, hasher: nodeHasher, localDate });
  // A team's members, read from Teams through the team's stored General-channel reference (bot/team-roster.ts).
  const teamRoster = new BotTeamRoster({
    adapter,
    botAppId: embedded ? '' : config.bot.appId,
    findTeam: (teamId) => store.getTeam(teamId),
    listTeams: () => store.listTeams(),
    gate,
  });
  const campaigns = new CampaignService({
    campaigns: store.campaigns,
    policies: store.policies,
    jobs: store.jobs,
    directory,
    notifier,
    teamRoster,
    clock,
    ids,
    localDate,
    timeZone: config.timeZone,
    onQueued: () => runner?.nudge(),
  });
  const roles = new RolesService({ store, directory, clock, ids });
  // The first policy admins, from COUNTERSIGN_ADMINS, while the school has none: at start, and after each roster
  // change (the people named may arrive with the first directory sync). A failure is logged, never fatal.
  const applyFirstAdmins = () =>
    roles
      .grantFirstAdmins(config.firstAdmins)
      .then(({ granted, notFound }) => {
        if (granted.length) log(`policy admin from COUNTERSIGN_ADMINS: ${granted.map((s) => s.name).join(', ')}`);
        if (notFound.length) log(`COUNTERSIGN_ADMINS: not on the staff list yet (applied once the roster has them): ${notFound.join(', ')}`);
      })
      .catch((e: Error) => log(`COUNTERSIGN_ADMINS not applied: ${e.message}`));
  // The one writer of what the directory says about people (the Graph sync, the CSV import); the app reads the store.
  const roster = new RosterService({ store, jobs: store.jobs, ids, clock, localDate, schoolId: config.schoolId, onSaved: () => {
      directory.forget();
      void applyFirstAdmins();
    },
  });
  if (config.directory && !o.staffSource) throw new Error('STAFF_GROUP_ID is set but no staff source was built');
  const rosterSync =
    config.directory && o.staffSource
      ? new RosterSyncService({ source: o.staffSource, store, roster, jobs: store.jobs, ids, clock, schoolId: config.schoolId, everyMs: config.directory.syncEveryMs, log })
      : undefined;
  runner = new JobRunner({ queue: store.jobs, clock, handlers: { ...requests.handlers(), ...campaigns.handlers(), ...rosterSync?.handlers() }, concurrency: 32, leaseMs: VISIBILITY_MS, log });
  const seeded = embedded ? seededStaff.then(() => Promise.all(demoPolicyVersions.map((v) => declarations.publish({ ...demoPolicy, schoolId: config.schoolId }, v.id, v.content)))) : Promise.resolve([]);
  const firstAdmins = seeded.then(applyFirstAdmins);
  // A campaign CSV reaches the admin as a signed link that expires (a bot cannot attach a file in a Teams personal
  // chat except through the file consent card: learn.microsoft.com, "Send and receive files using bot"). The CSV
  // names staff and what they signed, so a link forwarded or left in a chat stops working after a day.
  const exportLink = (file: string) => {
    const expires = Math.floor(clock.now().getTime() / 1000) + EXPORT_LINK_HOURS * 3600;
    return `${publicUrl}/exports/${encodeURIComponent(file)}?e=${expires}&s=${links.sign(`export:${file}:${expires}`)}`;
  };
  const saveExport = (file: string, csv: string) => {
    mkdirSync(config.exportDir, { recursive: true });
    const path = join(config.exportDir, file);
    writeFileSync(path, csv);
    return { path, link: exportLink(file) };
  };
  const bot = new CountersignBot({
    requests,
    conversations,
    directory,
    schoolName: schoolName(config, embedded),
    allowActAs: embedded,
    declarations,
    campaigns,
    policyLink,
    saveExport,
    timeZone: config.timeZone,
    today: () => localDate(clock.now()),
    log,
  });

  const app = express();
  app.disable('x-powered-by');
  // App Service's front end is one proxy hop away and says who called in X-Forwarded-For: req.ip is then the
  // caller's address (the rate limit of calls without a sign-in counts by it). Embedded mode has no proxy.
  if (!embedded) app.set('trust proxy', 1);
  // A request id and one JSON line per request first, so even a refused request has both; then the headers.
  app.use(...requestLogging(logger, { quiet: embedded }));
  app.use(securityHeaders());
  // Only the bot's endpoint parses its body up front: the tab's API checks the caller first (src/server/api/router.ts).
  const json = express.json({ limit: BODY_LIMIT });
  // Set on SIGTERM (close()): /readyz answers 503 so the load balancer stops sending work.
  let draining = false;
  app.use((_req, res, next) => {
    // While draining, a request still arriving on an open connection is served, and its connection then closed.
    if (draining) res.setHeader('connection', 'close');
    next();
  });
  // Liveness: the process answers. No store or queue call, so a store outage never gets the instance restarted.
  app.get('/healthz', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'ok', checks: { process: 'ok' }, mode: config.mode, store: store instanceof SqliteStore ? 'sqlite' : 'sharepoint' });
  });
  // Readiness: the store and the job queue each answer one cheap read, at most once per READINESS_CACHE_MS.
  // On SharePoint the queue is a list of the store's own site, behind the same Graph client and token: one small
  // request to it answers for both, which keeps App Service's probe (once a minute) to 60 Graph requests an hour.
  // Reasons go to the log, never into the answer. No sign-in: App Service's health check calls it anonymously.
  let sitePing: Promise<void> | undefined;
  const oneSitePing = () => (sitePing ??= store.jobs.ping().finally(() => (sitePing = undefined)));
  const readiness = readinessProbe(
    store instanceof SqliteStore
      ? { store: () => store.getStaff('readiness-probe'), queue: () => store.jobs.ping() }
      : { store: oneSitePing, queue: oneSitePing },
    { cacheMs: READINESS_CACHE_MS, timeoutMs: READINESS_TIMEOUT_MS, log: logError },
  );
  app.get('/readyz', async (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    const answer = draining ? { status: 'unavailable' as const, checks: { serving: 'unavailable' as const } } : { ...(await readiness.check()) };
    if (!draining) answer.checks = { serving: 'ok', ...answer.checks };
    res.status(answer.status === 'ok' ? 200 : 503).json(answer);
  });
  // Malformed activities get a 400 and forged tokens a 401 here, before any store or botbuilder sees them.
  const guards = embedded ? [activityShape] : [activityShape, tokenGuard(auth, log), tenantGuard(config.bot.tenantId)];
  app.post('/api/messages', json, ...guards, async (req, res) => {
    await adapter.process(req, res, (ctx) => bot.run(ctx));
  });
  // A person's link to the full policy: records that they opened it, then sends them to the document.
  app.get('/policy/open', async (req, res) => {
    const v = String(req.query.v ?? '');
    const u = String(req.query.u ?? '');
    if (!links.verify(`open:${v}:${u}`, String(req.query.s ?? ''))) {
      res.status(400).type('text/plain').send('This policy link is not valid. Open the policy from your Countersign card in Teams.');
      return;
    }
    const version = await declarations.recordOpen(u, v);
    if (!version) {
      res.status(404).type('text/plain').send('That policy version no longer exists.');
      return;
    }
    res.redirect(302, version.documentUrl);
  });
  app.get('/exports/:file', (req, res) => {
    const file = String(req.params.file);
    const expires = String(req.query.e ?? '');
    if (!/^[\w.-]+\.csv$/.test(file) || !/^\d{1,12}$/.test(expires) || !links.verify(`export:${file}:${expires}`, String(req.query.s ?? ''))) {
      res.status(403).type('text/plain').send('This export link is not valid. Ask for a new export in Teams.');
      return;
    }
    if (Number(expires) * 1000 <= clock.now().getTime()) {
      res.status(410).type('text/plain').send(`This export link has expired (links work for ${EXPORT_LINK_HOURS} hours). Ask for a new export in Teams.`);
      return;
    }
    res.download(resolve(config.exportDir, file), file, (err) => {
      // send reports a missing file as 404 (ENOENT); anything else is ours to log.
      if (!err || res.headersSent) return;
      if ((err as { status?: number }).status === 404) {
        res.status(404).type('text/plain').send('This export is no longer on the server. Ask for a new export in Teams.');
        return;
      }
      log(`export download failed: ${err.message}`);
      res.status(500).json({ error: 'SERVER.ERROR', message: 'Something went wrong on our side.' });
    });
  });
  // The tab's JSON API. Embedded mode signs in as a demo person (loopback only); every other mode takes
  // Teams SSO tokens only, and there the dev sign-in routes do not exist.
  const devSessions = embedded ? new DevSessions(links, clock) : undefined;
  const api = tabApi(
    {
      requests,
      declarations,
      campaigns,
      roles,
      receipts: new ReceiptService({ staff: store, policies: store.policies, audit: store.audit, hasher: nodeHasher, schoolName: schoolName(config, embedded), timeZone: config.timeZone }),
      directory,
      store,
      clock,
      ids,
      timeZone: config.timeZone,
      schoolName: schoolName(config, embedded),
      embedded,
      inbox,
      saveExport,
      policyLink,
      cardAction: (actor, verb, data) => bot.act(actor, verb, data),
      log,
    },
    {
      auth: devSessions ?? ssoAuthenticator(ssoOf(config), { clock, log }),
      dev: devSessions ? { sessions: devSessions, people: async () => demoStaff.map((s) => ({ ...s, schoolId: config.schoolId })) } : undefined,
      bodyLimit: BODY_LIMIT,
      ratePerMinute: config.tabApiRatePerMinute,
    },
  );
  app.use('/api', api);
  const tabDist = resolve('tab/dist');
  if (existsSync(tabDist)) app.use('/tab', express.static(tabDist));
  app.use(errorHandler({ bodyLimit: BODY_LIMIT, log: logError }));

  let server: Server | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  return {
    app,
    store,
    requests,
    declarations,
    campaigns,
    roster,
    rosterSync,
    roles,
    runner,
    logger,
    /** The tab API's route table as served under /api (tests enumerate it). */
    apiRoutes: api.routes,
    /** Embedded mode's demo inboxes; undefined in every other mode. */
    inbox,
    ready: Promise.all([seeded, firstAdmins]),
    async listen(port = config.port): Promise<number> {
      await seeded;
      server = await new Promise<Server>((ok) => {
        // Embedded mode runs with connector auth off and `as <name>`: only this machine may reach it.
        // Other modes listen on every interface, as App Service's front end requires.
        const s = embedded ? app.listen(port, '127.0.0.1', () => ok(s)) : app.listen(port, () => ok(s));
        answerClientErrors(s);
      });
      runner?.start();
      // The directory sync runs on the queue (booked now, then every DIRECTORY_SYNC_HOURS), never in a request.
      if (rosterSync) void rosterSync.bookNow().catch((e: Error) => log(`booking the directory sync failed: ${e.message}`));
      // A change saved on SharePoint whose records were not yet written (a crash, an outage) still carries
      // them in its item; read-repair finishes it when the request is next read, and this sweep finishes
      // the rest: at start, then every 10 minutes (one indexed query each time; SQLite has nothing to do).
      const sweepPending = () =>
        store.applyPendingChanges().then(
          (n) => n && log(`finished ${n} changes whose records were still pending`),
          (e: Error) => log(`finishing pending changes failed, will try again: ${e.message}`),
        );
      // The same sweep seals audit entries a process wrote but did not live to chain (SharePoint; SQLite chains as it writes).
      const sweepAudit = () =>
        store.audit.seal().then(
          (n) => n && log(`sealed ${n} audit entries into the chain`),
          (e: Error) => log(`sealing the audit chain failed, will try again: ${e.message}`),
        );
      void sweepPending().then(sweepAudit);
      sweeper = setInterval(() => void sweepPending().then(sweepAudit), 10 * 60_000);
      sweeper.unref();
      const bound = (server.address() as AddressInfo).port;
      if (!config.publicUrl) publicUrl = `http://localhost:${bound}`;
      return bound;
    },
    /** Whether close() has begun: /readyz answers 503 from then on. */
    get draining() {
      return draining;
    },
    /**
     * Stops taking work and closes, within about `budgetMs` when given (main.ts, on SIGTERM or SIGINT): /readyz
     * answers 503, the listening socket closes (new connections are refused), the job runner receives nothing
     * more, and jobs still running after most of the budget are released (visible again at once, resumed from
     * their checkpoint by the next start or another instance). Requests still open at the end are cut.
     * Without a budget it waits for every job and request (tests).
     */
    async close(budgetMs?: number): Promise<void> {
      draining = true;
      clearInterval(sweeper);
      const started = Date.now();
      const s = server;
      const closed = new Promise<void>((ok) => (s ? s.close(() => ok()) : ok()));
      s?.closeIdleConnections();
      // Most of the budget for the jobs; the rest for releasing them, the last requests and the store.
      const jobs = await runner?.stop(budgetMs === undefined ? undefined : Math.max(0, budgetMs - 2_000));
      if (jobs && budgetMs !== undefined) log(`shutdown: ${jobs.finished} jobs finished, ${jobs.released} released`);
      let cut: ReturnType<typeof setTimeout> | undefined;
      if (s && budgetMs !== undefined) cut = setTimeout(() => s.closeAllConnections(), Math.max(0, budgetMs - 1_000 - (Date.now() - started)));
      await closed;
      clearTimeout(cut);
      store.close();
    },
  };
}

/** The SSO settings every mode but the embedded one has (loadConfig refuses to start without them). */
function ssoOf(config: Config) {
  if (!config.sso) throw new Error('AAD_APP_CLIENT_ID is required outside the embedded mode');
  return config.sso;
}

export type CountersignApp = ReturnType<typeof createApp>;

/**
 * The demo school's people: new ones with their demo roles; those already stored keep the roles given
 * them since (the Settings page), and only their directory fields are brought up to date.
 */
async function seedDemoStaff(store: AppStore, schoolId: string): Promise<void> {
  const people = demoStaff.map((s) => ({ ...s, schoolId }));
  const stored = await Promise.all(people.map((p) => store.getStaff(p.id)));
  const fresh = people.filter((_, i) => !stored[i]);
  if (fresh.length) await store.upsertStaff(fresh);
  const known = people.filter((_, i) => stored[i]).map(({ roles: _roles, ...profile }) => profile);
  if (known.length) await store.saveRoster(known);
}

/** The school's name as people read it: SCHOOL_NAME, the demo school's in embedded mode, else a neutral phrase. */
function schoolName(config: Config, embedded: boolean): string {
  return config.schoolName ?? (embedded ? demoSchool.name : 'your school');
}
