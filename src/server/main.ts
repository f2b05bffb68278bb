import { ConfigError, loadConfig, redactedSummary } from './config';
import { createApp } from './app';
import { createLogger } from './logging';

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
  const logger = createLogger({ level: config.logLevel });
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
  log(`listening on http://localhost:${port} (bot: POST /api/messages, health: GET /healthz)`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
