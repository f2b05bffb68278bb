/**
 * Card verbs. Sent cards stay in chats for years, so these strings are a public
 * API: never rename one; add a new verb and keep accepting the old.
 */
export const Verbs = {
  requestSubmit: 'request.submit',
  requestResubmit: 'request.resubmit',
  requestWithdraw: 'request.withdraw',
  approve: 'approval.approve',
  reject: 'approval.reject',
  return: 'approval.return',
  declarationSign: 'declaration.sign',
  declarationShow: 'declaration.show',
  campaignNew: 'campaign.new',
  campaignLaunch: 'campaign.launch',
  campaignStatus: 'campaign.status',
  campaignExport: 'campaign.export',
  campaignClose: 'campaign.close',
  campaignRecount: 'campaign.recount',
  refresh: 'refresh',
  // Navigation verbs: they only show a card and change nothing.
  requestNew: 'request.new',
  requestEdit: 'request.edit',
  requestView: 'request.view',
  statusShow: 'status.show',
  helpShow: 'help.show',
} as const;

export type Verb = (typeof Verbs)[keyof typeof Verbs];
