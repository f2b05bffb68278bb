/**
 * The lists and columns of the SharePoint store: one list per record kind.
 * This is the only file that names SharePoint columns; provisioning creates
 * exactly this, and the store reads and writes exactly this.
 *
 * Platform facts behind the choices:
 * - A query that filters or sorts on a non-indexed column fails once a list
 *   passes 5,000 items (learn.microsoft.com, "Manage large lists and libraries";
 *   Graph refuses it at any size without `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`,
 *   which we never send). So every column a query touches is `indexed`.
 * - A list can have at most 20 indexed columns (same page).
 * - Single line of text holds 255 characters, multiple lines 63,999
 *   (support.microsoft.com, "List and library column types and options"):
 *   free text goes in multi-line (`note`) columns.
 * - `enforceUniqueValues` needs an indexed column, and makes a second POST of
 *   the same value fail (409 through Graph): that is our INSERT OR IGNORE.
 * - Text comparisons are case-insensitive (SharePoint's collation), so keys
 *   built from ids assume ids differ by more than case (Entra ids are lower-case GUIDs).
 */

export type ColumnKind = 'text' | 'note' | 'choice' | 'dateTime' | 'date' | 'number' | 'boolean';

export interface ColumnDef {
  /** Internal name: what Graph's `fields/{name}` uses. Never change it once shipped. */
  name: string;
  /** What a person sees in SharePoint. */
  displayName: string;
  kind: ColumnKind;
  choices?: readonly string[];
  /** A query filters or sorts on it. */
  indexed?: boolean;
  /** No two items share a value (implies indexed). */
  unique?: boolean;
  /** A machine key or marker, not for people: provisioning says so in its description. */
  machine?: boolean;
  description?: string;
}

export interface ListDef {
  name: string;
  description: string;
  columns: ColumnDef[];
}

const text = (name: string, displayName: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, displayName, kind: 'text', ...extra });
const note = (name: string, displayName: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, displayName, kind: 'note', ...extra });
const when = (name: string, displayName: string, extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, displayName, kind: 'dateTime', ...extra });
const day = (name: string, displayName: string): ColumnDef => ({ name, displayName, kind: 'date' });
const num = (name: string, displayName: string): ColumnDef => ({ name, displayName, kind: 'number' });
const choice = (name: string, displayName: string, choices: readonly string[], extra: Partial<ColumnDef> = {}): ColumnDef => ({ name, displayName, kind: 'choice', choices, ...extra });
/** A unique machine key: what the store looks items up by. */
const key = (name: string, displayName: string): ColumnDef => ({ name, displayName, kind: 'text', unique: true, indexed: true, machine: true });
/**
 * A person as two text columns: the Entra object id (what the code uses) and the display name (what people read).
 * A real Person column would need the user in the site's user information list, which app-only writes cannot
 * guarantee for people who never visited the site.
 */
const person = (prefix: string, displayName: string, extra: { indexed?: boolean } = {}): ColumnDef[] => [
  text(`${prefix}Id`, `${displayName} (id)`, { indexed: extra.indexed }),
  text(`${prefix}Name`, displayName),
];

/**
 * A random id set by each guarded write. If the client's retry of a PATCH whose answer was lost (503/504)
 * meets 412, the item's WriteId tells our own landed write from someone else's.
 */
const writeId = (): ColumnDef => text('WriteId', 'Write id', { machine: true });

/**
 * The school a record belongs to (a short slug), on every list of school records. Indexed: a trust
 * with several schools on one site filters on it. Items from before it existed have none, and are read
 * as the deployment's school (SiteClient).
 */
const school = (): ColumnDef => text('SchoolId', 'School', { indexed: true });

export const REQUEST_STATUSES = ['pending', 'returned', 'approved', 'rejected', 'withdrawn'] as const;
export const RECIPIENT_STATES = ['queued', 'sent', 'unconfirmed', 'signed', 'failed'] as const;
export const JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const;

export const Lists = {
  meta: 'CS_Meta',
  requests: 'CS_Requests',
  decisions: 'CS_Decisions',
  audit: 'CS_Audit',
  accounts: 'CS_Accounts',
  conversations: 'CS_Conversations',
  sentCards: 'CS_SentCards',
  staff: 'CS_Staff',
  policies: 'CS_Policies',
  versions: 'CS_PolicyVersions',
  declarations: 'CS_Declarations',
  opens: 'CS_PolicyOpens',
  campaigns: 'CS_Campaigns',
  recipients: 'CS_Recipients',
  counts: 'CS_CampaignCounts',
  jobs: 'CS_Jobs',
  teams: 'CS_Teams',
} as const;
export type ListKey = keyof typeof Lists;

export const listDefs: Record<ListKey, ListDef> = {
  meta: {
    name: Lists.meta,
    description: 'Countersign: counters and settings (e.g. the next request reference). Do not edit.',
    columns: [
      key('MetaKey', 'Key'),
      text('MetaValue', 'Value'),
      // JSON [[write id, value], …] of the last writes, newest first: a counter write whose answer was lost is
      // recognised as ours on the retry's 409/412 even when other writes landed after it, so no number is skipped.
      note('RecentWrites', 'Recent writes', { machine: true, description: 'JSON: the last writes and the values they set' }),
      // A value longer than a single line of text allows (255): a directory sync's Graph deltaLink.
      note('MetaText', 'Long value', { machine: true, description: 'A long value, e.g. where the directory sync continues from' }),
    ],
  },
  requests: {
    name: Lists.requests,
    description: 'Countersign: requests for school social media accounts, with their approval steps.',
    columns: [
      key('RequestId', 'Request id'),
      school(),
      text('Reference', 'Reference'),
      ...person('Requester', 'Requested by', { indexed: true }),
      choice('Status', 'Status', REQUEST_STATUSES),
      // Set only while pending: "awaiting me" filters on it.
      ...person('CurrentApprover', 'Awaiting', { indexed: true }),
      num('CurrentStep', 'Current step'),
      num('Round', 'Round'),
      text('Department', 'Department'),
      text('SiteModerator', 'Moderator of the site'),
      note('Aims', 'Aims'),
      note('ProposedContent', 'Proposed content'),
      // Tick lists: the option codes, comma-separated. Readable, filterable in a view, and exact to read back.
      text('AudienceGroups', 'Audience'),
      note('AudienceDetails', 'Audience details'),
      text('ContributorGroups', 'Contributors'),
      note('ContributorsDetails', 'Contributor details'),
      note('Administrators', 'Administrators', { description: 'JSON list of {id, name}' }),
      note('Moderators', 'Moderators', { description: 'JSON list of {id, name}' }),
      text('VetterName', 'Vets external contributors (name)'),
      text('VetterRole', 'Vets external contributors (role)'),
      text('Platform', 'Platform'),
      text('Host', 'Hosted by'),
      day('GoLive', 'Go-live date'),
      day('Closure', 'Closure date'),
      note('Advertising', 'How contributors will be found'),
      note('ParentalConsent', 'Parental consent'),
      note('Security', 'Security measures'),
      choice('Visibility', 'Open or private', ['private', 'open']),
      note('Promotion', 'How the account will be promoted'),
      note('SuccessMeasures', 'How success will be judged'),
      // Approval steps are genuinely nested (role, approver, delegation, decision): JSON, in a multi-line column.
      note('Steps', 'Approval steps', { description: 'JSON: the approval steps and their decisions' }),
      // Indexed: the Approvals page pages through every request newest first, on a range of it.
      when('CreatedAt', 'Submitted', { indexed: true }),
      when('UpdatedAt', 'Last changed'),
      // The audit id of the change that wrote this version: tells our own retried write from someone else's.
      text('LastChangeId', 'Last change id', { machine: true }),
      // The records and jobs of that change, written by the same guarded update and cleared once they exist
      // as items of their own (pending-effects.ts). PendingSince is set exactly while PendingEffects is, and
      // indexed, so the sweeper finds unapplied changes with one range query however long the list grows.
      note('PendingEffects', 'Pending effects', { machine: true, description: 'JSON: the decision, audit entry, account and jobs of the last change, until they are written' }),
      when('PendingSince', 'Effects pending since', { indexed: true, machine: true }),
    ],
  },
  decisions: {
    name: Lists.decisions,
    description: 'Countersign: every approval decision, as signed on the card.',
    columns: [
      key('DecisionId', 'Decision id'),
      school(),
      text('RequestId', 'Request id', { indexed: true }),
      text('Reference', 'Reference'),
      num('Round', 'Round'),
      num('Step', 'Step'),
      text('Role', 'Role'),
      choice('Outcome', 'Outcome', ['approved', 'rejected', 'returned']),
      // Indexed: a subject access export reads every decision one person made.
      ...person('Actor', 'Decided by', { indexed: true }),
      text('Signature', 'Signature (typed name)'),
      note('DecisionComment', 'Comment'),
      when('DecidedAt', 'Decided at'),
    ],
  },
  audit: {
    name: Lists.audit,
    description: 'Countersign: the append-only audit trail.',
    columns: [
      key('AuditId', 'Audit id'),
      school(),
      choice('EntityType', 'Record type', ['request', 'account', 'declaration', 'campaign', 'staff']),
      text('EntityId', 'Record id', { indexed: true }),
      // Indexed: a subject access export reads every entry one person is the actor of.
      ...person('Actor', 'By', { indexed: true }),
      text('Action', 'Action'),
      when('At', 'At'),
      note('Before', 'Before', { description: 'JSON snapshot' }),
      note('After', 'After', { description: 'JSON snapshot' }),
      // The hash chain (domain/audit-chain.ts, audit-sealer.ts). An entry is written 'open' with its record's
      // hash, and sealed shortly after into its school's chain: its place, the previous entry's hash and its own.
      // Indexed: the sealer finds open entries, and the verifier walks places, with range queries.
      choice('SealState', 'Sealed', ['open', 'sealed'], { indexed: true, machine: true }),
      { name: 'ChainSeq', displayName: 'Place in the chain', kind: 'number', indexed: true, machine: true },
      text('PrevHash', 'Previous entry hash (SHA-256)', { machine: true }),
      text('EntryHash', 'Entry hash (SHA-256)', { machine: true }),
      choice('RecordKind', 'Records a', ['decision', 'declaration'], { machine: true }),
      text('RecordId', 'Linked record id', { indexed: true, machine: true }),
      text('RecordHash', 'Record hash (SHA-256)', { machine: true }),
      // Retention: an entry whose personal data was blanked keeps its content's hash, and names the signed checkpoint.
      text('ContentHash', 'Content hash kept after retention', { machine: true }),
      text('RedactedIn', 'Blanked by retention checkpoint', { machine: true }),
    ],
  },
  accounts: {
    name: Lists.accounts,
    description: 'Countersign: the register of approved school social media accounts.',
    columns: [
      key('AccountId', 'Account id'),
      school(),
      text('RequestId', 'Request id', { indexed: true }),
      text('Reference', 'Reference'),
      text('Department', 'Department'),
      text('Platform', 'Platform'),
      text('Host', 'Hosted by'),
      text('Visibility', 'Open or private'),
      note('Administrators', 'Administrators', { description: 'JSON list of {id, name}' }),
      note('Moderators', 'Moderators', { description: 'JSON list of {id, name}' }),
      day('GoLive', 'Go-live date'),
      day('Closure', 'Closure date'),
      when('ApprovedAt', 'Approved at'),
      ...person('Owner', 'Owner'),
      note('Confirmation', 'Go-live confirmation', { description: 'JSON: the day it went live, who holds the login, who confirmed and when' }),
      writeId(),
    ],
  },
  conversations: {
    name: Lists.conversations,
    description: 'Countersign: where the bot can reach each person in Teams.',
    columns: [
      key('UserId', 'Person (id)'),
      note('ConversationId', 'Conversation id'),
      text('ServiceUrl', 'Service URL'),
      text('TenantId', 'Tenant id'),
      note('Reference', 'Conversation reference', { description: 'JSON, as Teams gave it' }),
      when('UpdatedAt', 'Updated at'),
    ],
  },
  sentCards: {
    name: Lists.sentCards,
    description: 'Countersign: cards sent about a request, so they can be updated in place.',
    columns: [
      key('CardKey', 'Card key'),
      text('RequestId', 'Request id', { indexed: true }),
      text('UserId', 'Person (id)'),
      note('ConversationId', 'Conversation id'),
      text('ActivityId', 'Activity id'),
      text('Purpose', 'Purpose'),
      when('SentAt', 'Sent at'),
    ],
  },
  staff: {
    name: Lists.staff,
    description: 'Countersign: staff as the directory knows them, with the roles workflows route on.',
    columns: [
      key('StaffId', 'Person (id)'),
      school(),
      text('FullName', 'Name'),
      // Indexed: COUNTERSIGN_ADMINS names people by e-mail (their UPN).
      text('Email', 'Email', { indexed: true }),
      text('Department', 'Department'),
      text('JobTitle', 'Job title'),
      // Indexed: the role holders are read without the whole roster (listRoleHolders).
      text('Roles', 'Roles', { indexed: true }),
      text('JoinedOn', 'Joined on'),
      text('LeftOn', 'Left on'),
    ],
  },
  policies: {
    name: Lists.policies,
    description: 'Countersign: policies people sign declarations for.',
    columns: [key('PolicyId', 'Policy id'), text('PolicyName', 'Policy'), school()],
  },
  versions: {
    name: Lists.versions,
    description: 'Countersign: published policy versions. Frozen once published: signatures store their content hash.',
    columns: [
      key('VersionId', 'Version id'),
      school(),
      text('PolicyId', 'Policy id', { indexed: true }),
      text('VersionTitle', 'Policy title'),
      text('VersionLabel', 'Version'),
      day('EffectiveDate', 'Effective from'),
      day('ReviewDate', 'Review by'),
      note('DocumentUrl', 'Full document'),
      note('Summary', 'Summary'),
      note('Statements', 'Statements', { description: 'JSON list of the "I will" statements' }),
      { name: 'RequireOpen', displayName: 'Must open before signing', kind: 'boolean' },
      when('PublishedAt', 'Published at'),
      text('ContentHash', 'Content hash (SHA-256)'),
    ],
  },
  declarations: {
    name: Lists.declarations,
    description: 'Countersign: signed policy declarations. One per person and version.',
    columns: [
      key('DeclarationKey', 'Signer and version'),
      school(),
      text('DeclarationId', 'Declaration id'),
      ...person('Signer', 'Signed by', { indexed: true }),
      text('TypedName', 'Typed name'),
      text('VersionId', 'Version id'),
      text('PolicyId', 'Policy id'),
      text('VersionLabel', 'Version'),
      text('ContentHash', 'Content hash (SHA-256)'),
      text('CampaignId', 'Campaign id'),
      when('SignedAt', 'Signed at'),
      writeId(),
    ],
  },
  opens: {
    name: Lists.opens,
    description: 'Countersign: who opened which policy document through Countersign, first time only.',
    columns: [key('OpenKey', 'Person and version'), text('UserId', 'Person (id)'), text('VersionId', 'Version id'), when('FirstOpenedAt', 'First opened at')],
  },
  campaigns: {
    name: Lists.campaigns,
    description: 'Countersign: acknowledgement campaigns.',
    columns: [
      key('CampaignId', 'Campaign id'),
      school(),
      text('CampaignTitle', 'Campaign title'),
      text('PolicyId', 'Policy id'),
      text('VersionId', 'Version id'),
      text('VersionLabel', 'Version'),
      choice('AudienceKind', 'Audience', ['roster', 'group', 'team', 'departments', 'joinedSince']),
      // The group's or team's id; for 'joinedSince', the first join date (YYYY-MM-DD) in the audience.
      text('AudienceId', 'Group or team id'),
      // One department a line, as the directory spells them (audience kind 'departments'); for 'team', the team's name at launch.
      note('AudienceDepartments', 'Departments'),
      day('RemindedOn', 'Reminded now on'),
      day('Deadline', 'Deadline'),
      num('ReminderEveryDays', 'Remind every (days)'),
      ...person('LaunchedBy', 'Launched by'),
      when('LaunchedAt', 'Launched at'),
      // Empty on campaigns launched before the audience was read in the background: they were ready at once.
      choice('AudienceStatus', 'Audience status', ['preparing', 'ready']),
      when('ClosedAt', 'Closed at'),
      ...person('ClosedBy', 'Closed by'),
    ],
  },
  recipients: {
    name: Lists.recipients,
    description: 'Countersign: one item per person per campaign: queued, sent, signed or failed.',
    columns: [
      // campaign|user: getRecipient, and INSERT OR IGNORE by uniqueness.
      key('RecipientKey', 'Campaign and person'),
      school(),
      // campaign|state|user: paging one state of one campaign in user order is one range on one index.
      text('StateKey', 'Campaign, state and person', { indexed: true, machine: true }),
      // user|version: "my recipient records for this version".
      text('UserVersionKey', 'Person and version', { indexed: true, machine: true }),
      text('CampaignId', 'Campaign id'),
      ...person('Recipient', 'Person'),
      text('VersionId', 'Version id'),
      text('Department', 'Department'),
      choice('State', 'State', RECIPIENT_STATES),
      num('Attempts', 'Send attempts'),
      num('RemindersSent', 'Reminders sent'),
      note('FailureReason', 'Why it failed'),
      when('SentAt', 'Sent at'),
      when('SignedAt', 'Signed at'),
      note('ConversationId', 'Conversation id'),
      text('ActivityId', 'Activity id'),
      when('SendingSince', 'Sending since'),
      when('UpdatedAt', 'Updated at'),
      writeId(),
    ],
  },
  counts: {
    name: Lists.counts,
    description: 'Countersign: recipients per campaign, state and department, kept up to date with eTags so progress is one read.',
    columns: [
      key('CounterKey', 'Counter key'),
      text('CampaignId', 'Campaign id', { indexed: true }),
      choice('State', 'State', RECIPIENT_STATES),
      text('Department', 'Department'),
      num('RecipientCount', 'Recipients'),
      writeId(),
    ],
  },
  jobs: {
    name: Lists.jobs,
    description: 'Countersign: the durable job queue (sends, reminders, escalations). Claimed with leases.',
    columns: [
      key('JobId', 'Job id'),
      school(),
      key('JobKey', 'Job key'),
      text('Kind', 'Kind'),
      note('Payload', 'Payload', { description: 'JSON' }),
      when('RunAt', 'Run at'),
      // pending (waiting for runAt or released to try again), running (received; invisible until LeaseUntil),
      // done, or failed: the port's poison state, with LastError.
      choice('JobStatus', 'Status', JOB_STATUSES),
      when('LeaseUntil', 'Leased until'),
      // When the job is next claimable: runAt while pending, the lease's end while running, empty when
      // done or failed. One indexed column, so claiming is one range query however long the list grows.
      when('DueAt', 'Due at', { indexed: true }),
      num('Attempts', 'Attempts'),
      note('LastError', 'Last error'),
    ],
  },
  teams: {
    name: Lists.teams,
    description: 'Countersign: the teams Countersign was added to, so a campaign can go to a team\'s members.',
    columns: [
      key('TeamId', 'Team id'),
      text('AadGroupId', 'Microsoft 365 group id'),
      text('TeamName', 'Team name'),
      text('ServiceUrl', 'Service URL'),
      text('TenantId', 'Tenant id'),
      note('Reference', 'Conversation reference', { description: 'JSON: the General channel, as Teams gave it' }),
      when('AddedAt', 'Added at'),
      when('UpdatedAt', 'Updated at'),
      // Empty while Countersign is in the team.
      when('RemovedAt', 'Removed at'),
    ],
  },
};

/** Every list, in the order provisioning creates them. */
export const allListDefs: ListDef[] = Object.values(listDefs);

/** SharePoint allows at most 20 indexed columns per list ("Manage large lists and libraries"). */
export const MAX_INDEXED_COLUMNS = 20;
