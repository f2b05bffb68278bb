import { currentApprover, type AccountRequest } from '../domain/account-request';
import { formatDay, localDay } from '../domain/display-dates';
import type { PolicyVersion } from '../domain/policy';
import { card, container, execute, heading, labelled, note, plain, type AdaptiveCard, type Element } from './ac';
import { decisionReason, statusLine } from './request.card';
import { Verbs } from './verbs';

export interface StatusListOptions {
  /** The person reading the card: lines about them say "you". */
  viewerId: string;
  /** The school's time zone (config `timeZone`). */
  timeZone: string;
  /** Today at the school, `YYYY-MM-DD`: how long each request has waited is counted to it. */
  today: string;
}

/** "waiting since today", "waiting 1 day", "waiting 3 days": calendar days at the school, since the request last moved. */
export function waitedFor(sinceIso: string, o: Pick<StatusListOptions, 'timeZone' | 'today'>): string {
  // Both days at noon UTC, so a daylight-saving change never moves the count.
  const noon = (d: string) => Date.parse(`${d}T12:00:00Z`);
  const days = Math.max(0, Math.round((noon(o.today) - noon(localDay(sinceIso, o.timeZone))) / 86_400_000));
  return days === 0 ? 'waiting since today' : `waiting ${days} day${days === 1 ? '' : 's'}`;
}

/** The `status` answer: anything waiting for the viewer's decision, declarations to sign, then their own requests. */
export function statusListCard(mine: AccountRequest[], awaiting: AccountRequest[], toSign: PolicyVersion[], o: StatusListOptions): AdaptiveCard {
  const row = (r: AccountRequest, label: string): Element => {
    const asker = r.requesterId === o.viewerId ? 'you' : r.requesterName;
    // A request waits while an approver or (returned) the requester has to act; it moved last at `updatedAt`.
    const waiting = r.status === 'pending' || r.status === 'returned' ? ` ${cap(waitedFor(r.updatedAt, o))}.` : '';
    const reason = decisionReason(r);
    return container(
      [
        // The reference starts its own line, so it never wraps inside itself.
        plain(`${r.reference}: ${r.details.platform} for ${r.details.department}`, { weight: 'Bolder' }),
        plain(`Asked by ${asker} on ${formatDay(localDay(r.createdAt, o.timeZone))}.`, { spacing: 'None' }),
        plain(`${statusLine(r, o)}${waiting}`, { spacing: 'None', weight: waitingForViewer(r, o.viewerId) ? 'Bolder' : 'Default' }),
        ...(reason ? [labelled('Reason', reason, { spacing: 'None' })] : []),
        { type: 'ActionSet', actions: [execute(label, Verbs.requestView, { requestId: r.id })] },
      ],
      { separator: true },
    );
  };
  // What needs the viewer first: a head teacher opens this between lessons to decide.
  const body: Element[] = [heading(awaiting.length ? 'Your decisions and requests' : 'Your requests', 'Large')];
  if (awaiting.length) {
    body.push(note(`Waiting for your decision (${awaiting.length})`, { weight: 'Bolder' }), ...awaiting.map((r) => row(r, 'Open to decide')));
  }
  if (toSign.length) {
    body.push(
      note(`Declarations to sign (${toSign.length})`, { weight: 'Bolder', spacing: 'Medium' }),
      ...toSign.map((v) =>
        container(
          [
            plain(`${v.title}, version ${v.versionLabel}`, { weight: 'Bolder' }),
            { type: 'ActionSet', actions: [execute('Read and sign', Verbs.declarationShow, { versionId: v.id })] },
          ],
          { separator: true },
        ),
      ),
    );
  }
  if (mine.length) body.push(note(`Asked by you (${mine.length})`, { weight: 'Bolder' }), ...mine.map((r) => row(r, 'Open')));
  else body.push(note('You have not asked for any accounts yet.'));
  return card(body, [execute('Request an account', Verbs.requestNew)]);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const waitingForViewer = (r: AccountRequest, viewerId: string) =>
  currentApprover(r)?.approverId === viewerId || (r.status === 'returned' && r.requesterId === viewerId);
