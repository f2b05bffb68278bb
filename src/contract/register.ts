/**
 * The Account register page's API shapes (types only; the tab imports them).
 *
 *   GET  /api/register?q=&attention=&cursor=&limit=        → RegisterList (a page, in approval order)
 *   GET  /api/register/mine?…                              → RegisterList: the accounts I administer
 *   GET  /api/register/staff?q=              → StaffChoice[] (for a handover)
 *   POST /api/register/:accountId/confirm    ConfirmGoLiveBody → RegisterAccount
 *   POST /api/register/:accountId/handover   HandoverBody → RegisterAccount
 *
 * A change presents the `etag` it was shown; a stale one is refused with 409.
 */
import type { AccountAction } from '../domain/account-permissions';
import type { AccountWarningKind } from '../domain/account-register';
import type { RegisteredAccount } from '../domain/account-request';
import type { ListPage } from './api';

/**
 * An account as the register shows it: the record's own fields (host is the account's address or handle, goLive
 * and closure YYYY-MM-DD, closure empty when there is no planned end), plus what is derived for the viewer.
 */
export interface RegisterAccount
  extends Pick<RegisteredAccount, 'id' | 'reference' | 'department' | 'platform' | 'host' | 'visibility' | 'administrators' | 'moderators' | 'goLive' | 'closure' | 'approvedAt' | 'ownerName' | 'confirmation'> {
  /** YYYY-MM-DD: a year after final approval (the record holds none; see accountReviewDate). */
  reviewDate: string;
  warnings: Array<{ kind: AccountWarningKind; message: string }>;
  /** Ids of listed administrators and moderators no longer on the staff list. */
  left: string[];
  /** What the signed-in person may do with this account (account-permissions.ts). */
  may: Record<AccountAction, boolean>;
  etag: string;
}

/** A page of the register; `total` counts every account that matches the filters. */
export type RegisterList = ListPage<RegisterAccount>;

export interface StaffChoice {
  id: string;
  name: string;
  jobTitle: string;
  department: string;
}

/** A tick for each, and who holds the login. There is no password field, by design. */
export interface ConfirmGoLiveBody {
  etag: string;
  /** YYYY-MM-DD: the day the account went live. */
  liveOn: string;
  /** The administrator confirms the account is live. */
  live: true;
  /** The administrator confirms the network manager holds the login. */
  loginHeldByNetworkManager: true;
  networkManagerName: string;
}

export interface HandoverBody {
  etag: string;
  /** The administrator leaving. */
  fromId: string;
  /** Their replacement, a member of staff from /api/register/staff. */
  toId: string;
}
