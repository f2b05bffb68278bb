/**
 * My tasks: declarations to sign, my requests, approvals waiting for me, and
 * the request page that My tasks and Approvals share. Types only.
 */
import type { RequestStatus, StepRole } from '../domain/account-request';
import type { AnswerSection } from '../cards/request.card';

/** A policy version this person has not signed yet. */
export interface DeclarationToSign {
  versionId: string;
  policyId: string;
  title: string;
  versionLabel: string;
  /** YYYY-MM-DD. */
  effectiveDate: string;
}

/** A policy version this person has signed: its receipt can be had. */
export interface SignedDeclaration {
  versionId: string;
  policyId: string;
  title: string;
  versionLabel: string;
  /** ISO instant, server time. */
  signedAt: string;
}

/** Where a request is, in a list. */
export interface RequestSummary {
  id: string;
  reference: string;
  /** "CS-0042: Instagram account for Year 6". */
  title: string;
  platform: string;
  department: string;
  requesterId: string;
  requesterName: string;
  status: RequestStatus;
  /** One sentence, as on the card: "Waiting for Gareth Lloyd (Computing/ICT subject leader), step 1 of 2." */
  statusLine: string;
  /** While pending: the step that waits, and for whom. */
  waitingFor?: { step: number; of: number; role: StepRole; roleLabel: string; approverId: string; approverName: string; delegated: boolean };
  /** ISO instants. */
  createdAt: string;
  updatedAt: string;
}

/** One line of a request's history. */
export interface TimelineEntry {
  /** ISO instant, server time. */
  at: string;
  kind: 'submitted' | 'resubmitted' | 'withdrawn' | 'escalated' | 'approved' | 'rejected' | 'returned';
  actorName: string;
  round: number;
  /** Decisions only. */
  step?: number;
  roleLabel?: string;
  /** The name the approver typed as their signature. */
  signature?: string;
  comment?: string;
}

/** What the person asking may do with the request now (the domain's rule). */
export interface RequestAllowed {
  decide: boolean;
  withdraw: boolean;
}

/** GET /api/requests/:id */
export interface RequestDetail {
  request: RequestSummary;
  /** Every answer of the form, in the card's sections and with its labels. */
  answers: AnswerSection[];
  timeline: TimelineEntry[];
  allowed: RequestAllowed;
  /** The Adaptive Card the bot sends this person for this request (src/cards/request.card.ts). */
  card: object;
}

/** An approval waiting for me: the card the bot sent me, and where the request is. */
export interface ApprovalWaiting {
  request: RequestSummary;
  card: object;
}

/** GET /api/tasks */
export interface TasksResponse {
  declarations: DeclarationToSign[];
  /** What I have signed, newest first. */
  signed: SignedDeclaration[];
  requests: RequestSummary[];
  approvals: ApprovalWaiting[];
}

export const decisionVerbs = ['approval.approve', 'approval.reject', 'approval.return'] as const;
export type DecisionVerbName = (typeof decisionVerbs)[number];

/** POST /api/requests/:id/decision: an Action.Execute of the approval card, its data and inputs. */
export interface DecisionBody {
  verb: DecisionVerbName;
  /** From the card's data: the step and round it was drawn for (a stale card is refused with 409). */
  step: number;
  round: number;
  signature: string;
  comment: string;
}

/** The answer to a decision or a withdrawal: the refreshed card for the person, and the request. */
export interface RequestChanged {
  message: string;
  request: RequestSummary;
  card: object;
}

/** GET /api/declarations/:versionId: the declaration card as the chat shows it. */
export interface DeclarationDetail {
  versionId: string;
  title: string;
  versionLabel: string;
  signed: boolean;
  card: object;
}

/** POST /api/declarations/:versionId/sign */
export interface SignBody {
  typedName: string;
  /** The "I have read and agree" box. */
  confirm: boolean;
  campaignId?: string;
}

export interface SignAnswer {
  message: string;
  signed: true;
  card: object;
}

/**
 * GET /api/receipts/:versionId[?person=<id or e-mail>]: a signature's receipt, for the signer (person left out)
 * or, for a policy admin, anyone at their school. `html` is one self-contained page, printable on one A4 sheet.
 */
export interface ReceiptAnswer {
  fileName: string;
  html: string;
  /** False while the signature's audit entry waits to be chained: the receipt says so and shows no chain position. */
  recorded: boolean;
}

export const tasksPaths = {
  tasks: '/api/tasks',
  request: (id: string) => `/api/requests/${encodeURIComponent(id)}`,
  decision: (id: string) => `/api/requests/${encodeURIComponent(id)}/decision`,
  withdraw: (id: string) => `/api/requests/${encodeURIComponent(id)}/withdraw`,
  declaration: (versionId: string) => `/api/declarations/${encodeURIComponent(versionId)}`,
  sign: (versionId: string) => `/api/declarations/${encodeURIComponent(versionId)}/sign`,
  receipt: (versionId: string, person?: string) => `/api/receipts/${encodeURIComponent(versionId)}${person ? `?person=${encodeURIComponent(person)}` : ''}`,
} as const;
