import { domainError, ErrorCodes, type DomainError } from './errors';
import type { Viewer } from './request-permissions';

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
