import { AuthenticationConstants, ClaimsIdentity, type BotFrameworkAuthentication, type ConnectorClient } from 'botframework-connector';

/**
 * One Bot Connector client per service URL, reused for every proactive send.
 * botbuilder's continueConversationAsync builds a connector client, a user
 * token client and a turn pipeline for each call; in a 30,000-card campaign
 * that allocation dominated CPU and memory. The client's credentials refresh
 * their own tokens, so a long-lived client stays valid.
 */
export class ConnectorClients {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  constructor(
    private readonly auth: BotFrameworkAuthentication,
    private readonly botAppId: string,
  ) {}

  get(serviceUrl: string): Promise<ConnectorClient> {
    let client = this.clients.get(serviceUrl);
    if (!client) {
      // The same claims botbuilder's CloudAdapter makes for proactive calls.
      const claims = new ClaimsIdentity(
        [
          { type: AuthenticationConstants.AudienceClaim, value: this.botAppId },
          { type: AuthenticationConstants.AppIdClaim, value: this.botAppId },
        ],
        true,
      );
      client = this.auth.createConnectorFactory(claims).create(serviceUrl, undefined);
      client.catch(() => this.clients.delete(serviceUrl));
      this.clients.set(serviceUrl, client);
    }
    return client;
  }
}
