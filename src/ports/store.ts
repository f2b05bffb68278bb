import type { AccountRequest, Decision, RegisteredAccount } from '../domain/account-request';
import type { SchoolRole, StaffMember } from '../domain/people';
import type { RosterRecord } from '../domain/roster';
import type { RequestListPage, RequestListQuery } from '../domain/request-list';
import type { Job } from './job-queue';
import type { ChainedContent, ChainLink, LinkedRecordKind } from '../domain/audit-chain';

/** A stored value with the opaque version tag that an update must present (an eTag in SharePoint). */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** One entry of the append-only audit trail: what it says (ChainedContent, the fields the chain covers) and its place. */
export interface AuditEntry extends ChainedContent {
  entityType: 'request' | 'account' | 'declaration' | 'campaign' | 'staff';
  /**
   * The decision or signature this entry records, so that the record is linked into the chain by its own hash
   * (set by the store when it writes the entry with its record; the hash is filled in when the entry is sealed).
   */
  record?: { kind: LinkedRecordKind; id: string; hash?: string };
  /** The entry's place in its school's hash chain, once sealed (domain/audit-chain.ts). */
  chain?: ChainLink;
  /** Set when retention blanked the entry's personal data: the hash its content had, and the signed checkpoint that did it. */
  redaction?: { contentHash: string; checkpointId: string };
}

/** A decision as its own record, for the CS_Decisions list and governors' reports. */
export interface DecisionRecord extends Decision {
  id: string;
  /** The request's school. */
  schoolId: string;
  requestId: string;
  round: number;
  step: number;
  role: string;
}

export type { RegisteredAccount };

/** Where a bot can reach a person: the Bot Framework conversation reference, stored as JSON. */
export interface ConversationAddress {
  userId: string;
  conversationId: string;
  serviceUrl: string;
  tenantId: string;
  /** The full reference as the channel gave it, opaque to the core. */
  reference: string;
  updatedAt: string;
}

/**
 * A team Countersign was added to, and how the bot reaches it: the conversation reference of the
 * team's General channel, whose conversation id is the team id itself. Kept when the app is removed
 * (removedAt says so), so campaigns launched to it still read their team's name.
 */
export interface TeamAddress {
  /** Teams' id of the team (channelData.team.id, "19:…@thread.tacv2"). */
  teamId: string;
  /** The team's Microsoft 365 group (channelData.team.aadGroupId), when Teams gives it. */
  aadGroupId?: string;
  name: string;
  serviceUrl: string;
  tenantId: string;
  /** The full reference, opaque to the core. */
  reference: string;
  addedAt: string;
  updatedAt: string;
  /** When the app was removed from the team; absent while Countersign is in it. */
  removedAt?: string;
}

/** A card that was sent and may later be edited in place. */
export interface SentCard {
  requestId: string;
  userId: string;
  conversationId: string;
  activityId: string;
  purpose: string;
  sentAt: string;
}

/** What a state change writes, as one unit: in SQLite one transaction; in SharePoint the guarded update first. */
export interface RequestChange {
  request: AccountRequest;
  /** The etag read before the change; undefined when creating. */
  expectedEtag?: string;
  decision?: DecisionRecord;
  audit: AuditEntry;
  account?: RegisteredAccount;
  /** Delayed work the change books (reminders); written with it, so neither exists without the other. */
  jobs?: Job[];
}

/** A change to an account in the register, guarded by the etag read before it, with its audit entry. */
export interface AccountChange {
  account: RegisteredAccount;
  expectedEtag: string;
  audit: AuditEntry;
}

/**
 * The records port. Adapters: SQLite (embedded) and SharePoint lists (Microsoft 365).
 * `saveRequestChange` throws ConflictError when `expectedEtag` is stale.
 */
export interface Store {
  nextReference(): Promise<string>;
  getRequest(id: string): Promise<Versioned<AccountRequest> | undefined>;
  listRequestsByRequester(requesterId: string): Promise<AccountRequest[]>;
  /** Pending requests whose current step is assigned to this approver. */
  listRequestsAwaiting(approverId: string): Promise<AccountRequest[]>;
  saveRequestChange(change: RequestChange): Promise<Versioned<AccountRequest>>;
  /**
   * One page of a school's requests, newest first, filtered (domain/request-list.ts). A page may hold
   * fewer than `limit` and still have a `next` (a store that can only search by reading stops after a
   * bounded read); only a page without `next` is the last.
   */
  listRequestsPage(query: RequestListQuery): Promise<RequestListPage>;
  /**
   * Writes the records and jobs of every change that was saved but whose effects
   * are not yet written (on SharePoint, after a crash or an outage between the
   * guarded update and the records; getRequest also does it for the request it
   * reads). Idempotent; returns how many changes it finished. Call it at start
   * and from a recurring job. SQLite saves a change in one transaction: always 0.
   */
  applyPendingChanges(): Promise<number>;
  /**
   * Optional: start reading a request that is about to be read, so that reads issued together may travel
   * together (SharePoint: one $batch). A store without it reads when asked.
   */
  prefetchRequest?(id: string): void;
  listDecisions(requestId: string): Promise<DecisionRecord[]>;
  /** Every decision this person made, oldest first: their part of a subject access export. */
  listDecisionsByActor(actorId: string): Promise<DecisionRecord[]>;
  listAudit(entityId: string): Promise<AuditEntry[]>;
  /** Every audit entry this person is the actor of, in the order written: their part of a subject access export. */
  listAuditByActor(actorId: string): Promise<AuditEntry[]>;
  /**
   * Appends an audit entry that goes with no record change (e.g. "exported this person's data").
   * Idempotent by the entry's id: appending the same entry again writes nothing.
   */
  appendAudit(entry: AuditEntry): Promise<void>;
  listAccounts(): Promise<RegisteredAccount[]>;
  /** The register with each account's etag, in approval order: what a change to one of them must present. */
  listAccountVersions(): Promise<Versioned<RegisteredAccount>[]>;
  getAccount(id: string): Promise<Versioned<RegisteredAccount> | undefined>;
  /** Saves the account and its audit entry together; throws ConflictError when `expectedEtag` is stale. */
  saveAccountChange(change: AccountChange): Promise<Versioned<RegisteredAccount>>;

  saveConversation(address: ConversationAddress): Promise<void>;
  getConversation(userId: string): Promise<ConversationAddress | undefined>;
  /** Upserts a team by its id: last write wins (the bot's add, rename and remove events). */
  saveTeam(team: TeamAddress): Promise<void>;
  getTeam(teamId: string): Promise<TeamAddress | undefined>;
  /** Every team Countersign was ever added to, removed ones included (removedAt says so), by name. */
  listTeams(): Promise<TeamAddress[]>;
  recordSentCard(card: SentCard): Promise<void>;
  listSentCards(requestId: string): Promise<SentCard[]>;

  getStaff(id: string): Promise<StaffMember | undefined>;
  listStaff(): Promise<StaffMember[]>;
  /** One page of staff in id order, ids after `after` ('' for the first page). */
  listStaffPage(after: string, limit: number): Promise<StaffMember[]>;
  upsertStaff(staff: StaffMember[]): Promise<void>;
  /** Everyone who holds at least one role: a handful of people, read without the whole roster. */
  listRoleHolders(): Promise<StaffMember[]>;
  /** The staff member with this e-mail address (case-insensitive), if any: how a setting names a person by UPN. */
  getStaffByEmail(email: string): Promise<StaffMember | undefined>;
  /**
   * Sets one person's roles for their school, with its audit entry. Idempotent: setting the same
   * roles again changes nothing but may add no second audit entry (the entry's id is its key).
   * Undefined when there is no such person.
   */
  setStaffRoles(id: string, roles: SchoolRole[], audit: AuditEntry): Promise<StaffMember | undefined>;
  /**
   * Writes what the directory says about people (a roster sync or import): names, emails,
   * departments, job titles, join and leave dates. Never roles: an existing row keeps its own,
   * a new row starts with none. Keyed by person id, so writing the same records again changes
   * nothing (a sync that fails half way converges when it runs again). SQLite: one transaction.
   */
  saveRoster(records: RosterRecord[]): Promise<void>;
  /** A sync's saved position (a Graph deltaLink), so a restart continues from it; undefined before the first sync. */
  getSyncState(name: string): Promise<string | undefined>;
  /** Saves (or, with undefined, forgets) a sync's position. */
  saveSyncState(name: string, value: string | undefined): Promise<void>;
}
