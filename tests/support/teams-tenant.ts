/**
 * One Microsoft 365 tenant's Teams state, shared by the local Graph server (which installs apps and
 * names chats) and the fake Bot Connector (which refuses a chat with anyone who has not installed
 * the app), so that an install through Graph is what makes a person reachable, as in Teams.
 */
export interface CatalogApp {
  /** The catalog's id: generated for an app published to the organisation (differs from the manifest id). */
  id: string;
  /** The manifest's id. */
  externalId: string;
  displayName: string;
  /** Graph's teamsAppDistributionMethod. */
  distributionMethod: 'organization' | 'store' | 'sideloaded';
}

export interface Installation {
  /** teamsAppInstallation id. */
  id: string;
  teamsAppId: string;
  chatId: string;
}

export class TeamsTenant {
  /** Entra object ids of the tenant's people: the directory Graph answers 404 outside of. */
  readonly users = new Set<string>();
  readonly apps: CatalogApp[];
  /** userId → our app's installation for that person. */
  readonly installations = new Map<string, Installation>();
  /** Installs that changed something (a 409 does not count). */
  installsMade = 0;
  private readonly chats = new Map<string, string>();
  private seq = 0;

  constructor(
    /** The bot's Microsoft app id: a personal chat's id names it. */
    readonly botAppId: string,
    o: { apps: CatalogApp[]; users?: Iterable<string>; installedFor?: Iterable<string> },
  ) {
    this.apps = o.apps;
    for (const u of o.users ?? []) this.users.add(u);
    for (const u of o.installedFor ?? []) this.install(u, this.apps[0]!.id);
  }

  /** Installs an app for a person (Graph's POST, or the person adding it in Teams). False if it already was. */
  install(userId: string, teamsAppId: string): boolean {
    this.users.add(userId);
    if (this.installations.has(userId)) return false;
    const chatId = this.chatIdOf(userId);
    this.installations.set(userId, { id: Buffer.from(`${userId}##${teamsAppId}##${++this.seq}`).toString('base64'), teamsAppId, chatId });
    this.chats.set(chatId, userId);
    this.installsMade++;
    return true;
  }

  /** The person removed the app (or an admin did). */
  uninstall(userId: string) {
    this.installations.delete(userId);
  }

  hasApp(userId: string): boolean {
    return this.installations.has(userId);
  }

  /** The 1:1 chat between a person and the bot, in Teams' format for personal chats. */
  chatIdOf(userId: string): string {
    return `19:${userId}_${this.botAppId}@unq.gbl.spaces`;
  }

  /** Whose personal chat this is, if it is one. */
  userOfChat(chatId: string): string | undefined {
    return this.chats.get(chatId) ?? /^19:([0-9a-f-]{36})_/i.exec(chatId)?.[1];
  }
}
