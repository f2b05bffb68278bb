import type { Actor } from './people';

/** Who a site is for, and who may post to it: the tick list on the approval form. */
export const audienceOptions = [
  { value: 'pupils', label: 'Pupils of the school' },
  { value: 'staff', label: 'School staff' },
  { value: 'families', label: "Pupils' family members" },
  { value: 'otherSchools', label: 'Pupils from other schools' },
  { value: 'externalOrgs', label: 'External organisations' },
  { value: 'public', label: 'Members of the public' },
  { value: 'others', label: 'Others (give details)' },
] as const;
export type AudienceGroup = (typeof audienceOptions)[number]['value'];

export const visibilityOptions = [
  { value: 'private', label: 'Private / closed' },
  { value: 'open', label: 'Open to anyone' },
] as const;
export type Visibility = (typeof visibilityOptions)[number]['value'];

/** A named person on the request (administrator or moderator): an id when the directory knows them. */
export interface NamedStaff {
  id: string;
  name: string;
}

/** Everything the requester fills in: the approval form plus the business-case points. */
export interface RequestDetails {
  department: string;
  siteModerator: string;
  aims: string;
  content: string;
  audience: AudienceGroup[];
  audienceDetails: string;
  contributors: AudienceGroup[];
  contributorsDetails: string;
  administrators: NamedStaff[];
  moderators: NamedStaff[];
  vetterName: string;
  vetterRole: string;
  platform: string;
  host: string;
  /** ISO date, YYYY-MM-DD. */
  goLive: string;
  /** ISO date, YYYY-MM-DD, after goLive; empty when the site has no planned end. */
  closure: string;
  advertising: string;
  parentalConsent: string;
  security: string;
  visibility: Visibility;
  promotion: string;
  successMeasures: string;
}

export type StepRole = 'ictLeader' | 'headTeacher';
export const stepRoleLabels: Record<StepRole, string> = {
  ictLeader: 'Computing/ICT subject leader',
  headTeacher: 'Head teacher',
};

export type DecisionOutcome = 'approved' | 'rejected' | 'returned';

export interface Decision {
  outcome: DecisionOutcome;
  actorId: string;
  actorName: string;
  /** The name the approver typed as their signature. */
  signature: string;
  comment: string;
  /** Server time, ISO 8601. */
  at: string;
}

export interface ApprovalStep {
  role: StepRole;
  approverId: string;
  approverName: string;
  /** True when the step went to a deputy because the requester holds the role. */
  delegated: boolean;
  decision?: Decision;
}

export type RequestStatus = 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn';

export interface AccountRequest {
  id: string;
  /** The school the request belongs to: the requester's, from their staff record on the server. */
  schoolId: string;
  /** Human reference shown on cards, e.g. CS-0042. */
  reference: string;
  requesterId: string;
  requesterName: string;
  details: RequestDetails;
  status: RequestStatus;
  steps: ApprovalStep[];
  /** Index into steps of the step awaiting a decision; meaningful while pending. */
  currentStep: number;
  /** Starts at 1; a resubmission starts a new round of approvals. */
  round: number;
  createdAt: string;
  updatedAt: string;
}

export const requestTitle = (r: Pick<AccountRequest, 'reference' | 'details'>): string =>
  `${r.reference}: ${r.details.platform} account for ${r.details.department}`;

export const currentApprover = (r: AccountRequest): ApprovalStep | undefined =>
  r.status === 'pending' ? r.steps[r.currentStep] : undefined;

export const lastDecision = (r: AccountRequest): (Decision & { role: StepRole }) | undefined => {
  for (let i = r.steps.length - 1; i >= 0; i--) {
    const d = r.steps[i].decision;
    if (d) return { ...d, role: r.steps[i].role };
  }
  return undefined;
};

/** An approved account in the register. */
export interface RegisteredAccount {
  id: string;
  /** The school of the request it came from. */
  schoolId: string;
  requestId: string;
  reference: string;
  department: string;
  platform: string;
  host: string;
  visibility: string;
  administrators: NamedStaff[];
  moderators: NamedStaff[];
  goLive: string;
  closure: string;
  approvedAt: string;
  ownerId: string;
  ownerName: string;
  /** Set when an administrator confirms the account is live and its login is held by the network manager. */
  confirmation?: GoLiveConfirmation;
}

/**
 * An administrator's confirmation that the account went live and that its
 * login is held by the network manager. A tick and a name: never a password.
 */
export interface GoLiveConfirmation {
  /** YYYY-MM-DD: the day the account went live, as the administrator says. */
  liveOn: string;
  /** Where the login is held: the network manager, by name (or role). Never the login or its password. */
  networkManagerName: string;
  byId: string;
  byName: string;
  /** Server time, ISO 8601. */
  at: string;
}

/** The register entry for a request the head teacher has approved. */
export function registerAccount(r: AccountRequest, id: string, approvedAt: string): RegisteredAccount {
  return {
    id,
    schoolId: r.schoolId,
    requestId: r.id,
    reference: r.reference,
    department: r.details.department,
    platform: r.details.platform,
    host: r.details.host,
    visibility: r.details.visibility,
    administrators: r.details.administrators,
    moderators: r.details.moderators,
    goLive: r.details.goLive,
    closure: r.details.closure,
    approvedAt,
    ownerId: r.requesterId,
    ownerName: r.requesterName,
  };
}

export type { Actor };
