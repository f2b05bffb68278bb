import { ConfigError, loadConfig, redactedSummary } from './config';
import { createApp } from './app';
import { createLogger, readableLines } from './logging';

/** Entry point: parse config once, build the app, serve. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  // One JSON line per event on stdout (App Service's log stream, Application Insights); see logging.ts.
  // The embedded mode is a developer's console: the same lines, readable.
  const logger = createLogger({ level: config.logLevel, ...(config.mode === 'embedded' ? { destination: readableLines() } : {}) });
  const log = (m: string) => logger.info(m);
  let store;
  let staffSource;
  if (config.store.kind === 'sharepoint') {
    try {
      // Loaded only when used: msal-node and the Graph client cost memory the embedded mode does not need.
      const { SharePointStore } = await import('../adapters/sharepoint/sharepoint.store');
      store = await SharePointStore.fromConfig(config.store.sharePoint, config.schoolId);
      if (config.directory) {
        // The same Graph client (and app token) as the store: one pipeline, one retry policy.
        const { GraphStaffSource } = await import('../adapters/graph-staff.source');
        staffSource = new GraphStaffSource({ client: store.site.client, baseUrl: config.store.sharePoint.graphBaseUrl, groupId: config.directory.staffGroupId, log });
      }
    } catch (e) {
      // One line, naming what to fix: the site or the lists are the usual causes.
      console.error(`Countersign cannot start: SharePoint store unavailable: ${(e as Error).message.split('\n')[0]}`);
      process.exit(1);
    }
  }
  let appInstaller;
  if (config.teamsApp && config.store.kind === 'sharepoint') {
    // The same Graph settings and app-only token as the store: that app registration must be the one the
    // manifest's webApplicationInfo.id names, granted TeamsAppInstallation.ReadWriteSelfForUser.All (and
    // AppCatalog.Read.All unless TEAMS_APP_CATALOG_ID is set).
    const { TeamsAppInstaller } = await import('../adapters/graph/teams-app-installer');
    const { msalTokenProvider } = await import('../adapters/sharepoint/msal-token');
    const sp = config.store.sharePoint;
    appInstaller = new TeamsAppInstaller({ baseUrl: sp.graphBaseUrl, tokenProvider: msalTokenProvider(sp), manifestId: config.teamsApp.manifestId, catalogId: config.teamsApp.catalogId, scale: config.rateScale, log });
  }
  const app = createApp(config, { store, appInstaller, staffSource, logger });
  const port = await app.listen();
  log(redactedSummary(config));
  log(`listening on http://localhost:${port} (bot: POST /api/messages, health: GET /healthz, readiness: GET /readyz)`);
  // SIGTERM (App Service, a scale-in, a deployment) and SIGINT (Ctrl-C on npm start): stop taking work, finish or
  // release the jobs in flight, exit 0 within SHUTDOWN_MS. A second signal changes nothing; if closing hangs,
  // the process still ends at the bound, with code 1 and a line saying so.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down (at most ${SHUTDOWN_MS / 1000} s)`);
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_MS - 500).unref();
    app.close(SHUTDOWN_MS - 1_500).then(
      () => {
        log('shutdown complete');
        process.exit(0);
      },
      (e: Error) => {
        logger.error(`shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** How long a shutdown may take: App Service and most orchestrators send SIGKILL some seconds after SIGTERM. */
const SHUTDOWN_MS = 10_000;

void main();
