import { createGraphClient } from '../../src/adapters/sharepoint/graph-client';
import { provisionSharePoint } from '../../src/adapters/sharepoint/provision';
import { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import { DEFAULT_SITE, LocalGraphServer, type LocalGraphServerOptions } from '../support/graph-server';

export const SITE = DEFAULT_SITE.id;
/** The local server checks that a bearer token is present, not what it says. */
export const tokenProvider = async () => 'test-token';

/**
 * A provisioned site on a fresh local Graph server, and the store on it. `connect` makes another app instance.
 * Lost replies start after provisioning: provisioning is a one-off script that is simply run again
 * when an answer is lost, and the store is what must take them in its stride.
 */
export async function sharePointUnderTest(options: LocalGraphServerOptions) {
  const { lostReplies, ...rest } = options;
  const server = new LocalGraphServer(rest);
  const baseUrl = await server.start();
  await provisionSharePoint({ client: createGraphClient({ baseUrl, tokenProvider }), baseUrl, siteId: SITE });
  if (lostReplies) server.configure({ lostReplies });
  const connect = () => SharePointStore.connect({ baseUrl, siteId: SITE, tokenProvider });
  return { server, baseUrl, store: await connect(), connect };
}
