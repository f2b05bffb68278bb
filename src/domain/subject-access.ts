import type { AccountRequest, Decision, GoLiveConfirmation, RegisteredAccount } from './account-request';
import type { ChainedContent } from './audit-chain';
import type { Declaration } from './declaration.workflow';
import type { StaffMember } from './people';
import type { Recipient } from './recipient.workflow';

/**
 * A subject access export (UK GDPR, Article 15): everything Countersign holds about one person, as
 * one JSON document, and the same as CSV rows for a data-protection officer's spreadsheet.
 *
 * What another person wrote about their own records is not theirs to receive (the ICO's guidance on
 * third-party data in a subject access request): a request the person is only named in, or decided,
 * appears as its reference and their part in it, not its answers; an audit entry they made on someone
 * else's record keeps what happened and when, without the record's before/after snapshots. The
 * entries' ids let the officer look those up if they decide to disclose more.
 */
export const SUBJECT_ACCESS_FORMAT = 'countersign.subject-access.v1';

/** A request the person did not make, but is named in. */
export interface NamedInRequest {
  requestId: string;
  reference: string;
  platform: string;
  department: string;
  status: AccountRequest['status'];
  requesterName: string;
  createdAt: string;
  /** Their parts: administrator, moderator, approver (a step was assigned to them). */
  parts: Array<'administrator' | 'moderator' | 'approver'>;
}

/** A decision the person made, with the reference of the request it was on. */
export interface ExportedDecision extends Decision {
  id: string;
  requestId: string;
  reference: string;
  round: number;
  step: number;
  role: string;
}

/** An account in the register the person owns, runs, moderates or confirmed. */
export interface AccountPart {
  accountId: string;
  reference: string;
  platform: string;
  department: string;
  host: string;
  goLive: string;
  closure: string;
  approvedAt: string;
  parts: Array<'owner' | 'administrator' | 'moderator' | 'confirmed go-live'>;
  /** Present when the person confirmed the go-live: the day, and who they said holds the login (a name, never a password). */
  confirmation?: GoLiveConfirmation;
}

export interface ExportedDeclaration extends Declaration {
  policyName: string;
}

/** A campaign the person launched or closed (a policy admin's part). */
export interface CampaignRun {
  campaignId: string;
  title: string;
  versionLabel: string;
  launchedAt: string;
  deadline: string;
  parts: Array<'launched' | 'closed'>;
}

export interface CampaignRecord extends Recipient {
  campaignTitle: string;
  versionLabel: string;
}

/** An audit entry, as stored, unless `snapshotsWithheld` says its snapshots were about someone else's record. */
export interface ExportedAuditEntry extends ChainedContent {
  /** Why before/after are empty here: the entry is the person's action on another person's record. */
  snapshotsWithheld?: string;
}

export interface SubjectAccessExport {
  format: typeof SUBJECT_ACCESS_FORMAT;
  /** Server time, ISO 8601. */
  generatedAt: string;
  generatedBy: { id: string; name: string };
  /** Their staff record: roles, department, job title, joined and left dates. */
  person: StaffMember;
  requestsMade: AccountRequest[];
  requestsNamingThem: NamedInRequest[];
  decisions: ExportedDecision[];
  accounts: AccountPart[];
  declarations: ExportedDeclaration[];
  /** Policy versions whose full document they opened through Countersign (the first opening is recorded, without its time here). */
  documentsOpened: Array<{ versionId: string; policyName: string; versionLabel: string }>;
  campaignRecords: CampaignRecord[];
  /** Campaigns they launched or closed, as a policy admin. */
  campaignsRun: CampaignRun[];
  audit: ExportedAuditEntry[];
  /** Where the bot reaches them in Teams, if it has ever written to them (the opaque reference itself is left out). */
  conversation: { conversationId: string; serviceUrl: string; tenantId: string; updatedAt: string } | null;
  /** What the export leaves out, and why: read by the officer before answering. */
  notes: string[];
}

export const SUBJECT_ACCESS_NOTES = [
  'Requests the person is named in, or decided, show their reference and the person’s part, not the requester’s answers (third-party data).',
  'Audit entries of the person’s actions on other people’s records keep what happened and when; their before/after snapshots are withheld (third-party data). Each entry’s id finds it in the audit trail.',
  'Cards sent to the person in Teams are in their own chat; Countersign keeps only where they were sent, per request.',
];

/** The parts a person has in a request they did not make; empty when they have none. */
export function partsIn(r: AccountRequest, personId: string): NamedInRequest['parts'] {
  const parts: NamedInRequest['parts'] = [];
  if (r.details.administrators.some((p) => p.id === personId)) parts.push('administrator');
  if (r.details.moderators.some((p) => p.id === personId)) parts.push('moderator');
  if (r.steps.some((s) => s.approverId === personId || s.decision?.actorId === personId)) parts.push('approver');
  return parts;
}

/** The parts a person has in an account of the register; empty when they have none. */
export function partsInAccount(a: RegisteredAccount, personId: string): AccountPart['parts'] {
  const parts: AccountPart['parts'] = [];
  if (a.ownerId === personId) parts.push('owner');
  if (a.administrators.some((p) => p.id === personId)) parts.push('administrator');
  if (a.moderators.some((p) => p.id === personId)) parts.push('moderator');
  if (a.confirmation?.byId === personId) parts.push('confirmed go-live');
  return parts;
}

/** One line of the CSV: a record, what kind, when, the person's part, and the record's fields in words. */
export interface SubjectAccessRow {
  kind: string;
  id: string;
  date: string;
  part: string;
  summary: string;
  /** Every field of the record as "name: value" lines, nested values as JSON. */
  details: string;
}

export const SUBJECT_ACCESS_COLUMNS: Array<[keyof SubjectAccessRow, string]> = [
  ['kind', 'Kind of record'],
  ['id', 'Record id'],
  ['date', 'Date'],
  ['part', 'Their part'],
  ['summary', 'Summary'],
  ['details', 'All fields'],
];

const fieldLines = (o: object): string =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n');

/**
 * The export as CSV rows, one per record, in the JSON's order. One sheet with a kind column: an officer
 * opens one file, filters by kind, and reads every field of a record in its last cell.
 */
export function subjectAccessRows(x: SubjectAccessExport): SubjectAccessRow[] {
  const p = x.person;
  const rows: SubjectAccessRow[] = [
    { kind: 'Staff record', id: p.id, date: p.joinedOn ?? '', part: 'the person', summary: `${p.name}, ${p.jobTitle}, ${p.department}${p.leftOn ? `; left on ${p.leftOn}` : ''}`, details: fieldLines(p) },
  ];
  for (const r of x.requestsMade) rows.push({ kind: 'Request made', id: r.id, date: r.createdAt, part: 'requester', summary: `${r.reference}: ${r.details.platform} account for ${r.details.department} (${r.status})`, details: fieldLines(r) });
  for (const r of x.requestsNamingThem) rows.push({ kind: 'Request naming them', id: r.requestId, date: r.createdAt, part: r.parts.join(', '), summary: `${r.reference}: ${r.platform} account for ${r.department}, requested by ${r.requesterName} (${r.status})`, details: fieldLines(r) });
  for (const d of x.decisions) rows.push({ kind: 'Decision', id: d.id, date: d.at, part: d.role, summary: `${d.outcome} ${d.reference}, signed “${d.signature}”${d.comment ? `: ${d.comment}` : ''}`, details: fieldLines(d) });
  for (const a of x.accounts) rows.push({ kind: 'Account in the register', id: a.accountId, date: a.approvedAt, part: a.parts.join(', '), summary: `${a.reference}: ${a.platform} account for ${a.department}`, details: fieldLines(a) });
  for (const d of x.declarations) rows.push({ kind: 'Signed declaration', id: d.id, date: d.signedAt, part: 'signer', summary: `${d.policyName}, version ${d.versionLabel}, signed as “${d.typedName}”`, details: fieldLines(d) });
  for (const o of x.documentsOpened) rows.push({ kind: 'Policy document opened', id: o.versionId, date: '', part: 'reader', summary: `${o.policyName}, version ${o.versionLabel}`, details: fieldLines(o) });
  for (const c of x.campaignRecords) rows.push({ kind: 'Campaign record', id: `${c.campaignId}/${c.userId}`, date: c.updatedAt, part: 'recipient', summary: `${c.campaignTitle} (${c.versionLabel}): ${c.state}`, details: fieldLines(c) });
  for (const c of x.campaignsRun) rows.push({ kind: 'Campaign run', id: c.campaignId, date: c.launchedAt, part: c.parts.join(', '), summary: `${c.title} (${c.versionLabel}), deadline ${c.deadline}`, details: fieldLines(c) });
  for (const e of x.audit) rows.push({ kind: 'Audit entry', id: e.id, date: e.at, part: e.actorId === p.id ? 'actor' : 'subject', summary: `${e.action} on ${e.entityType} ${e.entityId} by ${e.actorName}`, details: fieldLines(e) });
  if (x.conversation) rows.push({ kind: 'Teams conversation', id: x.conversation.conversationId, date: x.conversation.updatedAt, part: 'the person', summary: 'Where the Countersign bot reaches them in Teams', details: fieldLines(x.conversation) });
  return rows;
}

/** The export's file name without extension: the person's e-mail name (or id) and the day, safe on any file system. */
export function subjectAccessFileBase(person: Pick<StaffMember, 'id' | 'email'>, day: string): string {
  const who = (person.email.split('@')[0] || person.id).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'person';
  return `subject-access-${who}-${day}`;
}
