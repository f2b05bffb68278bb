import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { CountersignBot } from '../../bot/countersign.bot';
import { TeamsNotifier } from '../../bot/teams.notifier';
import { demoSchool, demoStaff } from '../adapters/demo-school';
import { SqliteStore } from '../adapters/sqlite.store';
import { StoreDirectory } from '../adapters/store.directory';
import { systemClock, type Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import { AccountRequestService } from '../services/account-requests.service';
import { ConversationService } from '../services/conversations.service';
import { InProcessBackground } from './background';
import type { Config } from './config';

export interface AppOverrides {
  clock?: Clock;
  ids?: IdSource;
  /** SQLite path; defaults to DATA_DIR/countersign.db. */
  dbPath?: string;
  log?: (msg: string) => void;
}

/** Largest request body accepted. Teams caps a message at about 28 KB, so this is generous. */
const BODY_LIMIT = '256kb';

/** The composition root: builds every adapter and service once and wires them to HTTP. */
export function createApp(config: Config, o: AppOverrides = {}) {
  const log = o.log ?? ((msg: string) => console.log(`[countersign] ${msg}`));
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? { next: () => randomUUID() };
  const store = new SqliteStore(o.dbPath ?? join(config.dataDir, 'countersign.db'));
  const embedded = config.mode === 'embedded';
  if (embedded) void store.upsertStaff(demoStaff);
  const directory = new StoreDirectory(store);
  const background = new InProcessBackground(log);
  const conversations = new ConversationService(store, clock);

  // Connector auth is off only in embedded mode, where the Agents Playground sends no tokens.
  const auth = new ConfigurationBotFrameworkAuthentication(
    embedded
      ? { MicrosoftAppId: '', MicrosoftAppPassword: '' }
      : {
          MicrosoftAppId: config.bot.appId,
          MicrosoftAppPassword: config.bot.password,
          MicrosoftAppTenantId: config.bot.tenantId,
          MicrosoftAppType: config.bot.type,
        },
  );
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (ctx, error) => {
    log(`turn failed: ${error.message}`);
    await ctx.sendActivity('Sorry, something went wrong on our side. Please try again in a moment.').catch(() => undefined);
  };

  const notifier = new TeamsNotifier({
    adapter,
    botAppId: embedded ? '' : config.bot.appId,
    tenantId: embedded ? demoSchool.tenantId : config.bot.tenantId,
    defaultServiceUrl: config.connectorServiceUrl ?? (embedded ? undefined : 'https://smba.trafficmanager.net/teams/'),
    conversations,
    directory,
    log,
  });
  const localDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: config.timeZone }).format(d);
  const requests = new AccountRequestService({ store, directory, clock, ids, notifier, background, localDate });
  const bot = new CountersignBot({
    requests,
    conversations,
    directory,
    schoolName: config.schoolName ?? (embedded ? demoSchool.name : 'your school'),
    allowActAs: embedded,
    log,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: BODY_LIMIT }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', mode: config.mode, store: 'sqlite' });
  });
  app.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (ctx) => bot.run(ctx));
  });
  const tabDist = resolve('tab/dist');
  if (existsSync(tabDist)) app.use('/tab', express.static(tabDist));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: 'REQUEST.TOO_LARGE', message: `The request body is larger than ${BODY_LIMIT}. Shorten the text and try again.` });
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'REQUEST.MALFORMED', message: 'The request body is not valid JSON.' });
      return;
    }
    log(`unhandled: ${err.message}`);
    res.status(500).json({ error: 'SERVER.ERROR', message: 'Something went wrong on our side.' });
  });

  let server: Server | undefined;
  return {
    app,
    store,
    requests,
    background,
    async listen(port = config.port): Promise<number> {
      server = await new Promise<Server>((ok) => {
        const s = app.listen(port, () => ok(s));
      });
      return (server.address() as AddressInfo).port;
    },
    async close(): Promise<void> {
      await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
      await background.idle();
      store.close();
    },
  };
}

export type CountersignApp = ReturnType<typeof createApp>;
