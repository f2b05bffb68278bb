/**
 * `npm run provision:sharepoint`: creates Countersign's lists and columns on the
 * configured SharePoint site, indexing the columns queries use. Safe to run
 * again: a second run changes nothing and says so.
 *
 * Settings (environment, as the app reads them):
 *   SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL   the site (a URL is resolved to its id once)
 *   GRAPH_BASE_URL                              default https://graph.microsoft.com
 *   GRAPH_TENANT_ID, GRAPH_CLIENT_ID            the app registration
 *   GRAPH_CLIENT_SECRET, or
 *   GRAPH_CERTIFICATE_PATH (+ GRAPH_CERTIFICATE_PASSWORD)   its credential
 * The app needs Sites.Manage.All, or Sites.Selected with a "manage" grant on the site, to create lists.
 */
import { loadSharePointConfig, redactedSharePointSummary } from '../src/adapters/sharepoint/config';
import { ProvisioningError, SharePointConfigError, SharePointError } from '../src/adapters/sharepoint/errors';
import { createGraphClient } from '../src/adapters/sharepoint/graph-client';
import { msalTokenProvider } from '../src/adapters/sharepoint/msal-token';
import { provisionSharePoint } from '../src/adapters/sharepoint/provision';

async function main(): Promise<number> {
  let config;
  try {
    config = loadSharePointConfig();
  } catch (e) {
    if (e instanceof SharePointConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  console.log(`[provision] ${redactedSharePointSummary(config)}`);
  const client = createGraphClient({ baseUrl: config.graphBaseUrl, tokenProvider: msalTokenProvider(config) });
  try {
    const report = await provisionSharePoint({
      client,
      baseUrl: config.graphBaseUrl,
      siteId: config.siteId,
      siteUrl: config.siteUrl,
      log: (line) => console.log(`[provision] ${line}`),
    });
    if (config.siteUrl) console.log(`[provision] site id: ${report.siteId} (set SHAREPOINT_SITE_ID to skip the lookup)`);
    return 0;
  } catch (e) {
    if (e instanceof ProvisioningError || e instanceof SharePointError || e instanceof SharePointConfigError) {
      console.error(`[provision] ${e.message}`);
      return 1;
    }
    throw e;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
