import { domainError, ErrorCodes, type DomainError } from './errors';
import type { Viewer } from './request-permissions';
import { isOpen, type Campaign } from './campaign';
import { formatDay } from './display-dates';

/**
 * Who may run acknowledgement campaigns: policy admins, for every campaign
 * action. Decided here, once: the service enforces it, the bot and the help
 * card use it to decide what to offer.
 */
export type CampaignAction = 'launch' | 'view' | 'remind' | 'close' | 'export';

export function campaignRefusal(viewer: Viewer, _action: CampaignAction): DomainError | undefined {
  if ((viewer.roles ?? []).includes('policyAdmin')) return undefined;
  return domainError(ErrorCodes.CAMPAIGN_NOT_ADMIN, 'Campaigns are for policy admins. Ask your school’s policy admin if you need one.');
}

export const mayRunCampaigns = (viewer: Viewer): boolean => !campaignRefusal(viewer, 'view');

/**
 * "Remind now": only while the campaign is open, and at most once a school day, so that a
 * second press (or a second admin) cannot send everyone who has not signed two reminders in a day.
 * The store records the day atomically (CampaignStore.claimRemindDay); this says why not, in words.
 */
export function remindNowRefusal(c: Pick<Campaign, 'closed' | 'deadline' | 'remindedOn'>, today: string): DomainError | undefined {
  if (!isOpen(c, today)) {
    return domainError(ErrorCodes.CAMPAIGN_CLOSED, c.closed ? `This campaign was closed by ${c.closed.byName}: no more reminders are sent.` : `This campaign’s deadline (${formatDay(c.deadline)}) has passed: no more reminders are sent.`);
  }
  if (c.remindedOn === today) {
    return domainError(ErrorCodes.CAMPAIGN_ALREADY_REMINDED, 'Reminders were already sent today to everyone who has not signed. You can remind them again tomorrow.');
  }
  return undefined;
}

/**
 * Who may have a signature's receipt: the signer, always; a policy admin, for anyone at their own school
 * (they answer to governors and inspectors for every signature). `signer` undefined: no such person, which
 * only a policy admin is told (anyone else is refused first, so the answer says nothing about who exists).
 */
export function receiptRefusal(viewer: Viewer & { schoolId: string }, signer: { id: string; schoolId: string } | undefined): DomainError | undefined {
  if (signer && signer.id === viewer.id) return undefined;
  const admin = (viewer.roles ?? []).includes('policyAdmin');
  if (admin && (!signer || signer.schoolId === viewer.schoolId)) return undefined;
  return domainError(
    ErrorCodes.RECEIPT_NOT_ALLOWED,
    admin ? 'That person is at another school: their receipts are for their own school’s policy admins.' : 'You can have the receipts of your own signatures. A policy admin can give you anyone else’s.',
  );
}
