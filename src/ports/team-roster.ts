/**
 * Who is in a team Countersign was added to, read from Teams a page at a time. The adapter (bot/) uses
 * the Bot Connector's paged members call; nothing above it sees botbuilder, a conversation reference or
 * an HTTP status. One call makes one attempt: the job that reads the roster retries, under the one
 * retry policy.
 */
export interface TeamRoster {
  /** The teams Countersign is in now (added, not removed since), by name: what a campaign can go to. */
  teams(): Promise<TeamRef[]>;
  /** One team as stored, whether or not Countersign is still in it (`removed` says). */
  team(teamId: string): Promise<TeamRef | undefined>;
  /**
   * One page of the team's members, from the start (no token) or from where the last page ended. A page
   * may be short and still have a `next`; only a page without `next` is the last.
   */
  members(teamId: string, continuationToken?: string): Promise<TeamRosterPage>;
}

/** A team Countersign was added to: Teams' team id and its name. */
export interface TeamRef {
  id: string;
  name: string;
  removed?: boolean;
}

/** A member of a team: `id` is their Entra object id (the directory's id for them). */
export interface TeamMember {
  id: string;
  name: string;
  email?: string;
}

export type TeamRosterPage =
  | { kind: 'page'; members: TeamMember[]; next?: string }
  /** The service asked us to slow down: try again after this long. */
  | { kind: 'throttled'; retryAfterMs: number }
  /** Countersign is not in the team (never added, or removed since): trying again will not help. */
  | { kind: 'notFound'; reason: string }
  /** Anything else: an outage (transient) or a fault (not transient). */
  | { kind: 'failed'; reason: string; transient: boolean };
