import type { AccountRequest, ApprovalStep, AudienceGroup, GoLiveConfirmation, NamedStaff, Visibility } from '../../domain/account-request';
import { currentApprover, requestTitle } from '../../domain/account-request';
import type { AudienceSpec, Campaign } from '../../domain/campaign';
import type { Declaration } from '../../domain/declaration.workflow';
import type { SchoolRole, StaffMember } from '../../domain/people';
import type { Policy, PolicyVersion } from '../../domain/policy';
import type { Recipient, RecipientState } from '../../domain/recipient.workflow';
import type { Job } from '../../ports/job-queue';
import type { ChainLink, LinkedRecordKind } from '../../domain/audit-chain';
import type { AuditEntry, ConversationAddress, DecisionRecord, RegisteredAccount, SentCard, TeamAddress } from '../../ports/store';
import { bool, fromDate, fromDateTime, json, keyOf, line, num, str, strOrNull, title, toDate, toDateTime, type Fields } from './fields';

/**
 * Domain records ↔ SharePoint fields, one pair per list. Titles are for people
 * browsing the list and are never read back.
 */

const codes = (v: string[]) => v.join(', ');
const fromCodes = <T extends string>(v: unknown): T[] =>
  str(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as T[];

// ----- requests -----

export function requestFields(r: AccountRequest, changeId: string): Fields {
  const d = r.details;
  const approver = currentApprover(r);
  return {
    Title: title(requestTitle(r)),
    RequestId: line(r.id, 'request id'),
    SchoolId: line(r.schoolId, 'school id'),
    Reference: line(r.reference, 'reference'),
    RequesterId: line(r.requesterId, 'requester id'),
    RequesterName: line(r.requesterName, 'requester name'),
    Status: r.status,
    CurrentApproverId: approver ? line(approver.approverId, 'approver id') : null,
    CurrentApproverName: approver ? line(approver.approverName, 'approver name') : null,
    CurrentStep: r.currentStep,
    Round: r.round,
    Department: line(d.department, 'department'),
    SiteModerator: line(d.siteModerator, 'site moderator'),
    Aims: d.aims || null,
    ProposedContent: d.content || null,
    AudienceGroups: line(codes(d.audience), 'audience'),
    AudienceDetails: d.audienceDetails || null,
    ContributorGroups: line(codes(d.contributors), 'contributors'),
    ContributorsDetails: d.contributorsDetails || null,
    Administrators: JSON.stringify(d.administrators),
    Moderators: JSON.stringify(d.moderators),
    VetterName: line(d.vetterName, 'vetter name'),
    VetterRole: line(d.vetterRole, 'vetter role'),
    Platform: line(d.platform, 'platform'),
    Host: line(d.host, 'host'),
    GoLive: toDate(d.goLive),
    Closure: toDate(d.closure),
    Advertising: d.advertising || null,
    ParentalConsent: d.parentalConsent || null,
    Security: d.security || null,
    Visibility: d.visibility,
    Promotion: d.promotion || null,
    SuccessMeasures: d.successMeasures || null,
    Steps: JSON.stringify(r.steps),
    CreatedAt: toDateTime(r.createdAt),
    UpdatedAt: toDateTime(r.updatedAt),
    LastChangeId: line(changeId, 'change id'),
  };
}

export function requestFrom(f: Fields): AccountRequest {
  return {
    id: str(f.RequestId),
    schoolId: str(f.SchoolId),
    reference: str(f.Reference),
    requesterId: str(f.RequesterId),
    requesterName: str(f.RequesterName),
    details: {
      department: str(f.Department),
      siteModerator: str(f.SiteModerator),
      aims: str(f.Aims),
      content: str(f.ProposedContent),
      audience: fromCodes<AudienceGroup>(f.AudienceGroups),
      audienceDetails: str(f.AudienceDetails),
      contributors: fromCodes<AudienceGroup>(f.ContributorGroups),
      contributorsDetails: str(f.ContributorsDetails),
      administrators: json<NamedStaff[]>(f.Administrators, []),
      moderators: json<NamedStaff[]>(f.Moderators, []),
      vetterName: str(f.VetterName),
      vetterRole: str(f.VetterRole),
      platform: str(f.Platform),
      host: str(f.Host),
      goLive: fromDate(f.GoLive),
      closure: fromDate(f.Closure),
      advertising: str(f.Advertising),
      parentalConsent: str(f.ParentalConsent),
      security: str(f.Security),
      visibility: str(f.Visibility) as Visibility,
      promotion: str(f.Promotion),
      successMeasures: str(f.SuccessMeasures),
    },
    status: str(f.Status) as AccountRequest['status'],
    steps: json<ApprovalStep[]>(f.Steps, []),
    currentStep: num(f.CurrentStep),
    round: num(f.Round),
    createdAt: fromDateTime(f.CreatedAt) ?? '',
    updatedAt: fromDateTime(f.UpdatedAt) ?? '',
  };
}

// ----- decisions, audit, accounts -----

export function decisionFields(d: DecisionRecord, reference: string): Fields {
  return {
    Title: title(`${reference}: ${d.outcome} by ${d.actorName}`),
    DecisionId: line(d.id, 'decision id'),
    SchoolId: line(d.schoolId, 'school id'),
    RequestId: line(d.requestId, 'request id'),
    Reference: line(reference, 'reference'),
    Round: d.round,
    Step: d.step,
    Role: line(d.role, 'role'),
    Outcome: d.outcome,
    ActorId: line(d.actorId, 'actor id'),
    ActorName: line(d.actorName, 'actor name'),
    Signature: line(d.signature, 'signature'),
    DecisionComment: d.comment || null,
    DecidedAt: toDateTime(d.at),
  };
}

export function decisionFrom(f: Fields): DecisionRecord {
  return {
    id: str(f.DecisionId),
    schoolId: str(f.SchoolId),
    requestId: str(f.RequestId),
    round: num(f.Round),
    step: num(f.Step),
    role: str(f.Role),
    outcome: str(f.Outcome) as DecisionRecord['outcome'],
    actorId: str(f.ActorId),
    actorName: str(f.ActorName),
    signature: str(f.Signature),
    comment: str(f.DecisionComment),
    at: fromDateTime(f.DecidedAt) ?? '',
  };
}

export function auditFields(a: AuditEntry): Fields {
  return {
    Title: title(`${a.action} (${a.entityType} ${a.entityId})`),
    AuditId: line(a.id, 'audit id'),
    SchoolId: line(a.schoolId, 'school id'),
    EntityType: a.entityType,
    EntityId: line(a.entityId, 'entity id'),
    ActorId: line(a.actorId, 'actor id'),
    ActorName: line(a.actorName, 'actor name'),
    Action: line(a.action, 'action'),
    At: toDateTime(a.at),
    Before: a.before,
    After: a.after,
    RecordKind: a.record?.kind ?? null,
    RecordId: a.record ? line(a.record.id, 'record id') : null,
    RecordHash: a.record?.hash ?? null,
    // Written open; the sealer chains it (audit-sealer.ts).
    SealState: a.chain ? 'sealed' : 'open',
    ...(a.chain ? chainFields(a.chain) : {}),
  };
}

export function chainFields(c: ChainLink): Fields {
  return { ChainSeq: c.seq, PrevHash: c.prevHash, EntryHash: c.hash, SealState: 'sealed' };
}

export function auditFrom(f: Fields): AuditEntry {
  return {
    id: str(f.AuditId),
    schoolId: str(f.SchoolId),
    entityType: str(f.EntityType) as AuditEntry['entityType'],
    entityId: str(f.EntityId),
    actorId: str(f.ActorId),
    actorName: str(f.ActorName),
    action: str(f.Action),
    at: fromDateTime(f.At) ?? '',
    before: strOrNull(f.Before),
    after: strOrNull(f.After),
    ...(f.RecordKind && f.RecordId ? { record: { kind: str(f.RecordKind) as LinkedRecordKind, id: str(f.RecordId), ...(f.RecordHash ? { hash: str(f.RecordHash) } : {}) } } : {}),
    ...(str(f.SealState) === 'sealed' && typeof f.ChainSeq === 'number' ? { chain: { seq: f.ChainSeq, prevHash: str(f.PrevHash), hash: str(f.EntryHash) } } : {}),
    ...(f.RedactedIn ? { redaction: { contentHash: str(f.ContentHash), checkpointId: str(f.RedactedIn) } } : {}),
  };
}

export function accountFields(a: RegisteredAccount): Fields {
  return {
    Title: title(`${a.platform}: ${a.department} (${a.reference})`),
    AccountId: line(a.id, 'account id'),
    SchoolId: line(a.schoolId, 'school id'),
    RequestId: line(a.requestId, 'request id'),
    Reference: line(a.reference, 'reference'),
    Department: line(a.department, 'department'),
    Platform: line(a.platform, 'platform'),
    Host: line(a.host, 'host'),
    Visibility: line(a.visibility, 'visibility'),
    Administrators: JSON.stringify(a.administrators),
    Moderators: JSON.stringify(a.moderators),
    GoLive: toDate(a.goLive),
    Closure: toDate(a.closure),
    ApprovedAt: toDateTime(a.approvedAt),
    OwnerId: line(a.ownerId, 'owner id'),
    OwnerName: line(a.ownerName, 'owner name'),
    Confirmation: a.confirmation ? JSON.stringify(a.confirmation) : null,
  };
}

export function accountFrom(f: Fields): RegisteredAccount {
  return {
    id: str(f.AccountId),
    schoolId: str(f.SchoolId),
    requestId: str(f.RequestId),
    reference: str(f.Reference),
    department: str(f.Department),
    platform: str(f.Platform),
    host: str(f.Host),
    visibility: str(f.Visibility),
    administrators: json<NamedStaff[]>(f.Administrators, []),
    moderators: json<NamedStaff[]>(f.Moderators, []),
    goLive: fromDate(f.GoLive),
    closure: fromDate(f.Closure),
    approvedAt: fromDateTime(f.ApprovedAt) ?? '',
    ownerId: str(f.OwnerId),
    ownerName: str(f.OwnerName),
    ...(str(f.Confirmation) ? { confirmation: json<GoLiveConfirmation>(f.Confirmation, undefined as never) } : {}),
  };
}

// ----- conversations, sent cards, staff -----

export function conversationFields(c: ConversationAddress): Fields {
  return {
    Title: title(c.userId),
    UserId: line(c.userId, 'user id'),
    ConversationId: c.conversationId,
    ServiceUrl: line(c.serviceUrl, 'service URL'),
    TenantId: line(c.tenantId, 'tenant id'),
    Reference: c.reference,
    UpdatedAt: toDateTime(c.updatedAt),
  };
}

export function conversationFrom(f: Fields): ConversationAddress {
  return {
    userId: str(f.UserId),
    conversationId: str(f.ConversationId),
    serviceUrl: str(f.ServiceUrl),
    tenantId: str(f.TenantId),
    reference: str(f.Reference),
    updatedAt: fromDateTime(f.UpdatedAt) ?? '',
  };
}

export function teamFields(t: TeamAddress): Fields {
  return {
    Title: title(t.name),
    TeamId: line(t.teamId, 'team id'),
    AadGroupId: t.aadGroupId ? line(t.aadGroupId, 'group id') : null,
    TeamName: line(t.name, 'team name'),
    ServiceUrl: line(t.serviceUrl, 'service URL'),
    TenantId: line(t.tenantId, 'tenant id'),
    Reference: t.reference,
    AddedAt: toDateTime(t.addedAt),
    UpdatedAt: toDateTime(t.updatedAt),
    RemovedAt: toDateTime(t.removedAt ?? null),
  };
}

export function teamFrom(f: Fields): TeamAddress {
  const removedAt = fromDateTime(f.RemovedAt);
  return {
    teamId: str(f.TeamId),
    ...(str(f.AadGroupId) ? { aadGroupId: str(f.AadGroupId) } : {}),
    name: str(f.TeamName),
    serviceUrl: str(f.ServiceUrl),
    tenantId: str(f.TenantId),
    reference: str(f.Reference),
    addedAt: fromDateTime(f.AddedAt) ?? '',
    updatedAt: fromDateTime(f.UpdatedAt) ?? '',
    ...(removedAt ? { removedAt } : {}),
  };
}

export const sentCardKey = (s: Pick<SentCard, 'requestId' | 'userId' | 'activityId'>) => keyOf(s.requestId, s.userId, s.activityId);

export function sentCardFields(s: SentCard): Fields {
  return {
    Title: title(`${s.purpose} to ${s.userId}`),
    CardKey: sentCardKey(s),
    RequestId: line(s.requestId, 'request id'),
    UserId: line(s.userId, 'user id'),
    ConversationId: s.conversationId,
    ActivityId: line(s.activityId, 'activity id'),
    Purpose: line(s.purpose, 'purpose'),
    SentAt: toDateTime(s.sentAt),
  };
}

export function sentCardFrom(f: Fields): SentCard {
  return {
    requestId: str(f.RequestId),
    userId: str(f.UserId),
    conversationId: str(f.ConversationId),
    activityId: str(f.ActivityId),
    purpose: str(f.Purpose),
    sentAt: fromDateTime(f.SentAt) ?? '',
  };
}

export function staffFields(s: StaffMember): Fields {
  return {
    Title: title(s.name),
    StaffId: line(s.id, 'staff id'),
    SchoolId: line(s.schoolId, 'school id'),
    FullName: line(s.name, 'name'),
    Email: line(s.email, 'email'),
    Department: line(s.department, 'department'),
    JobTitle: line(s.jobTitle, 'job title'),
    Roles: line(codes(s.roles), 'roles'),
    JoinedOn: s.joinedOn ?? null,
    LeftOn: s.leftOn ?? null,
  };
}

export function staffFrom(f: Fields): StaffMember {
  return {
    id: str(f.StaffId),
    schoolId: str(f.SchoolId),
    name: str(f.FullName),
    email: str(f.Email),
    department: str(f.Department),
    jobTitle: str(f.JobTitle),
    roles: fromCodes<SchoolRole>(f.Roles),
    ...(str(f.JoinedOn) ? { joinedOn: str(f.JoinedOn) } : {}),
    ...(str(f.LeftOn) ? { leftOn: str(f.LeftOn) } : {}),
  };
}

// ----- policies, versions, declarations, opens -----

export function policyFields(p: Policy): Fields {
  return { Title: title(p.name), PolicyId: line(p.id, 'policy id'), PolicyName: line(p.name, 'policy name'), SchoolId: line(p.schoolId, 'school id') };
}

export const policyFrom = (f: Fields): Policy => ({ id: str(f.PolicyId), schoolId: str(f.SchoolId), name: str(f.PolicyName) });

export function versionFields(v: PolicyVersion): Fields {
  return {
    Title: title(`${v.title} – ${v.versionLabel}`),
    VersionId: line(v.id, 'version id'),
    SchoolId: line(v.schoolId, 'school id'),
    PolicyId: line(v.policyId, 'policy id'),
    VersionTitle: line(v.title, 'policy title'),
    VersionLabel: line(v.versionLabel, 'version label'),
    EffectiveDate: toDate(v.effectiveDate),
    ReviewDate: toDate(v.reviewDate),
    DocumentUrl: v.documentUrl || null,
    Summary: v.summary || null,
    Statements: JSON.stringify(v.statements),
    RequireOpen: v.requireOpenBeforeSign,
    PublishedAt: toDateTime(v.publishedAt),
    ContentHash: line(v.contentHash, 'content hash'),
  };
}

export function versionFrom(f: Fields): PolicyVersion {
  return {
    id: str(f.VersionId),
    schoolId: str(f.SchoolId),
    policyId: str(f.PolicyId),
    title: str(f.VersionTitle),
    versionLabel: str(f.VersionLabel),
    effectiveDate: fromDate(f.EffectiveDate),
    reviewDate: fromDate(f.ReviewDate),
    documentUrl: str(f.DocumentUrl),
    summary: str(f.Summary),
    statements: json<string[]>(f.Statements, []),
    requireOpenBeforeSign: bool(f.RequireOpen),
    publishedAt: fromDateTime(f.PublishedAt) ?? '',
    contentHash: str(f.ContentHash),
  };
}

export const declarationKey = (signerId: string, versionId: string) => keyOf(signerId, versionId);

export function declarationFields(d: Declaration): Fields {
  return {
    Title: title(`${d.signerName} – ${d.versionLabel}`),
    DeclarationKey: declarationKey(d.signerId, d.versionId),
    DeclarationId: line(d.id, 'declaration id'),
    SchoolId: line(d.schoolId, 'school id'),
    SignerId: line(d.signerId, 'signer id'),
    SignerName: line(d.signerName, 'signer name'),
    TypedName: line(d.typedName, 'typed name'),
    VersionId: line(d.versionId, 'version id'),
    PolicyId: line(d.policyId, 'policy id'),
    VersionLabel: line(d.versionLabel, 'version label'),
    ContentHash: line(d.contentHash, 'content hash'),
    CampaignId: line(d.campaignId, 'campaign id'),
    SignedAt: toDateTime(d.signedAt),
  };
}

export function declarationFrom(f: Fields): Declaration {
  return {
    id: str(f.DeclarationId),
    schoolId: str(f.SchoolId),
    signerId: str(f.SignerId),
    signerName: str(f.SignerName),
    typedName: str(f.TypedName),
    versionId: str(f.VersionId),
    policyId: str(f.PolicyId),
    versionLabel: str(f.VersionLabel),
    contentHash: str(f.ContentHash),
    campaignId: strOrNull(f.CampaignId),
    signedAt: fromDateTime(f.SignedAt) ?? '',
  };
}

export const openKey = (userId: string, versionId: string) => keyOf(userId, versionId);

// ----- campaigns, recipients, counters -----

export function campaignFields(c: Campaign): Fields {
  const a = c.audience;
  return {
    Title: title(`${c.title} – ${c.versionLabel} (${c.launchedAt.slice(0, 10)})`),
    CampaignId: line(c.id, 'campaign id'),
    SchoolId: line(c.schoolId, 'school id'),
    CampaignTitle: line(c.title, 'campaign title'),
    PolicyId: line(c.policyId, 'policy id'),
    VersionId: line(c.versionId, 'version id'),
    VersionLabel: line(c.versionLabel, 'version label'),
    AudienceKind: a.kind,
    AudienceId: a.kind === 'group' ? a.groupId : a.kind === 'team' ? a.teamId : a.kind === 'joinedSince' ? a.since : null,
    // A team's name as it was at launch shares the note column (a team audience has no departments).
    AudienceDepartments: a.kind === 'departments' ? a.departments.join('\n') : a.kind === 'team' && a.teamName ? a.teamName : null,
    RemindedOn: c.remindedOn ? toDate(c.remindedOn) : null,
    Deadline: toDate(c.deadline),
    ReminderEveryDays: c.reminderEveryDays,
    LaunchedById: line(c.launchedBy, 'launched by'),
    LaunchedByName: line(c.launchedByName, 'launched by name'),
    LaunchedAt: toDateTime(c.launchedAt),
    AudienceStatus: c.audienceStatus ?? null,
    ...campaignClosedFields(c.closed),
  };
}

export function campaignClosedFields(closed: Campaign['closed']): Fields {
  return { ClosedAt: toDateTime(closed?.at ?? null), ClosedById: closed ? line(closed.by, 'closed by') : null, ClosedByName: closed ? line(closed.byName, 'closed by name') : null };
}

export function campaignFrom(f: Fields): Campaign {
  const kind = str(f.AudienceKind);
  const audience: AudienceSpec =
    kind === 'group'
      ? { kind, groupId: str(f.AudienceId) }
      : kind === 'team'
        ? { kind, teamId: str(f.AudienceId), ...(str(f.AudienceDepartments) ? { teamName: str(f.AudienceDepartments) } : {}) }
        : kind === 'departments'
          ? { kind, departments: str(f.AudienceDepartments).split('\n').filter(Boolean) }
          : kind === 'joinedSince'
            ? { kind, since: str(f.AudienceId) }
            : { kind: 'roster' };
  return {
    id: str(f.CampaignId),
    schoolId: str(f.SchoolId),
    policyId: str(f.PolicyId),
    versionId: str(f.VersionId),
    versionLabel: str(f.VersionLabel),
    title: str(f.CampaignTitle),
    audience,
    deadline: fromDate(f.Deadline),
    reminderEveryDays: num(f.ReminderEveryDays),
    launchedBy: str(f.LaunchedById),
    launchedByName: str(f.LaunchedByName),
    launchedAt: fromDateTime(f.LaunchedAt) ?? '',
    ...(fromDate(f.RemindedOn) ? { remindedOn: fromDate(f.RemindedOn) } : {}),
    ...(str(f.AudienceStatus) ? { audienceStatus: str(f.AudienceStatus) as 'preparing' | 'ready' } : {}),
    ...(fromDateTime(f.ClosedAt) ? { closed: { at: fromDateTime(f.ClosedAt)!, by: str(f.ClosedById), byName: str(f.ClosedByName) } } : {}),
  };
}

/** Range keys are never hashed (their order matters), so their parts must stay short: ids are. */
export const recipientKey = (campaignId: string, userId: string) => `${campaignId}|${userId}`;
export const stateKey = (campaignId: string, state: RecipientState, userId: string) => `${campaignId}|${state}|${userId}`;
export const userVersionKey = (userId: string, versionId: string) => keyOf(userId, versionId);

export function recipientFields(r: Recipient, versionId: string): Fields {
  return {
    Title: title(r.name),
    RecipientKey: line(recipientKey(r.campaignId, r.userId), 'recipient key'),
    StateKey: line(stateKey(r.campaignId, r.state, r.userId), 'recipient state key'),
    UserVersionKey: userVersionKey(r.userId, versionId),
    CampaignId: line(r.campaignId, 'campaign id'),
    SchoolId: line(r.schoolId, 'school id'),
    RecipientId: line(r.userId, 'user id'),
    RecipientName: line(r.name, 'name'),
    VersionId: line(versionId, 'version id'),
    Department: line(r.department, 'department'),
    ...recipientStateFields(r),
  };
}

/** What an update of a recipient rewrites: everything the workflow can change. */
export function recipientStateFields(r: Recipient): Fields {
  return {
    StateKey: line(stateKey(r.campaignId, r.state, r.userId), 'recipient state key'),
    State: r.state,
    Attempts: r.attempts,
    RemindersSent: r.remindersSent,
    FailureReason: r.failureReason,
    SentAt: toDateTime(r.sentAt),
    SignedAt: toDateTime(r.signedAt),
    ConversationId: r.conversationId,
    ActivityId: line(r.activityId, 'activity id'),
    SendingSince: toDateTime(r.sendingSince),
    UpdatedAt: toDateTime(r.updatedAt),
  };
}

export function recipientFrom(f: Fields): Recipient {
  return {
    campaignId: str(f.CampaignId),
    schoolId: str(f.SchoolId),
    userId: str(f.RecipientId),
    name: str(f.RecipientName),
    department: str(f.Department),
    state: str(f.State) as RecipientState,
    attempts: num(f.Attempts),
    remindersSent: num(f.RemindersSent),
    failureReason: strOrNull(f.FailureReason),
    sentAt: fromDateTime(f.SentAt),
    signedAt: fromDateTime(f.SignedAt),
    conversationId: strOrNull(f.ConversationId),
    activityId: strOrNull(f.ActivityId),
    sendingSince: fromDateTime(f.SendingSince),
    updatedAt: fromDateTime(f.UpdatedAt) ?? '',
  };
}

// ----- jobs -----

export function jobFields(j: Job): Fields {
  const runAt = toDateTime(j.runAt);
  return {
    Title: title(j.key),
    JobId: line(j.id, 'job id'),
    SchoolId: line(j.schoolId, 'school id'),
    JobKey: line(j.key, 'job key'),
    Kind: line(j.kind, 'job kind'),
    Payload: JSON.stringify(j.payload),
    RunAt: runAt,
    JobStatus: 'pending',
    DueAt: runAt,
    Attempts: 0,
  };
}

export function jobFrom(f: Fields): Job {
  return {
    id: str(f.JobId),
    schoolId: str(f.SchoolId),
    kind: str(f.Kind),
    key: str(f.JobKey),
    payload: json<Record<string, unknown>>(f.Payload, {}),
    runAt: fromDateTime(f.RunAt) ?? '',
    attempts: num(f.Attempts),
  };
}
