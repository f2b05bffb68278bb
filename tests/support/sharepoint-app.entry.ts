/**
 * The app in its own process on the SharePoint store, pointed at a local Graph
 * server that lives in the test process (so it survives the app being killed).
 * The same createApp as main.ts; only the token comes from the test server,
 * which checks that one is present, not what it says.
 */
import { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import { createApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';

const store = await SharePointStore.connect({ baseUrl: process.env.TEST_GRAPH_URL!, siteId: process.env.TEST_SITE_ID!, tokenProvider: async () => 'test-token' });
const app = createApp(loadConfig({ ...process.env, COUNTERSIGN_MODE: 'embedded', LINK_SIGNING_SECRET: 'test-link-secret-test-link-secret-0123' } as Record<string, string>), { store });
const port = await app.listen();
console.log(`[countersign] listening on http://localhost:${port}`);
