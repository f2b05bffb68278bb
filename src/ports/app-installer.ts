/**
 * Makes a person reachable in a 1:1 chat with Countersign when they have never opened the app.
 *
 * Teams lets a bot open a chat only with someone who has the app installed: a create for anyone
 * else is refused (403 BotNotInConversationRoster; OfficeDev company-communicator issue #744,
 * MicrosoftDocs/bot-docs issue #1527). The app may install itself for a person and then learn the
 * chat's id (learn.microsoft.com, "Send proactive installation messages"). The adapter does it
 * through Microsoft Graph; nothing above it sees Graph or an HTTP status.
 *
 * One call makes one attempt, with no retry inside: the job that sends the card retries, under
 * the one retry policy. Installing is idempotent (an app already installed counts as done), so a
 * retry after a lost answer costs a request and never a second installation or card.
 */
export interface AppInstaller {
  /** Installs the app for this person if it is not yet, and returns the id of their 1:1 chat with the bot. */
  reach(userId: string): Promise<Reach>;
}

export type Reach =
  /** The chat exists; `installedNow` says whether this call installed the app (else it already was). */
  | { kind: 'reachable'; userId: string; chatId: string; installedNow: boolean }
  /** The service asked us to slow down: try again after this long. */
  | { kind: 'throttled'; userId: string; retryAfterMs: number }
  /** No such person in the tenant's directory (left, or never existed): trying again will not help. */
  | { kind: 'unknownPerson'; userId: string; reason: string }
  /** Anything else: an outage (transient) or a setup fault such as a missing permission (not transient). */
  | { kind: 'failed'; userId: string; reason: string; transient: boolean };
