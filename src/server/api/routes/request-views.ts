import { currentApprover, stepRoleLabels, type AccountRequest } from '../../../domain/account-request';
import type { AuditEntry, DecisionRecord } from '../../../ports/store';
import { statusLine } from '../../../cards/request.card';
import type { RequestSummary, TimelineEntry } from '../../../contract/tasks';

/** A request as a row of a list: where it is and who it waits for, in the card's words. */
export function requestSummary(r: AccountRequest, o: { timeZone: string; viewerId: string }): RequestSummary {
  const step = currentApprover(r);
  return {
    id: r.id,
    reference: r.reference,
    title: `${r.reference}: ${r.details.platform} account for ${r.details.department}`,
    platform: r.details.platform,
    department: r.details.department,
    requesterId: r.requesterId,
    requesterName: r.requesterName,
    status: r.status,
    statusLine: statusLine(r, o),
    ...(step
      ? {
          waitingFor: {
            step: r.currentStep + 1,
            of: r.steps.length,
            role: step.role,
            roleLabel: stepRoleLabels[step.role],
            approverId: step.approverId,
            approverName: step.approverName,
            delegated: step.delegated,
          },
        }
      : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const auditKinds: Record<string, TimelineEntry['kind']> = {
  'request.submit': 'submitted',
  'request.resubmit': 'resubmitted',
  'request.withdraw': 'withdrawn',
  'approval.escalate': 'escalated',
};

const roundOf = (json: string | null): number | undefined => {
  try {
    const v = json ? (JSON.parse(json) as { round?: unknown }).round : undefined;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined; // an entry written before snapshots carried the round
  }
};

/**
 * The request's history, oldest first: every decision of every round from the decision records (who,
 * outcome, typed signature, server time, comment), and submissions, resubmissions, withdrawals and
 * escalations from the audit trail.
 */
export function requestTimeline(r: AccountRequest, decisions: DecisionRecord[], audit: AuditEntry[]): TimelineEntry[] {
  const out: TimelineEntry[] = decisions.map((d) => ({
    at: d.at,
    kind: d.outcome,
    actorName: d.actorName,
    round: d.round,
    step: d.step + 1,
    roleLabel: stepRoleLabels[d.role as keyof typeof stepRoleLabels] ?? d.role,
    signature: d.signature,
    comment: d.comment,
  }));
  for (const a of audit) {
    const kind = auditKinds[a.action];
    if (!kind) continue;
    out.push({ at: a.at, kind, actorName: a.actorName, round: roundOf(a.after) ?? r.round });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
