import type { RegisteredAccount } from './account-request';
import { domainError, ErrorCodes, type DomainError } from './errors';
import type { SchoolRole } from './people';
import type { Viewer } from './request-permissions';

/**
 * Who may do what with an account in the register: decided here, once. The
 * tab API refuses with it and the register page shows only the buttons it
 * allows.
 *
 * - confirm: the account's own administrators (as listed on the record)
 *   confirm it went live and that the network manager holds its login.
 * - handover: those who keep the register (ICT leader, head teacher, policy
 *   admins) replace an administrator who leaves.
 */
export type AccountAction = 'confirm' | 'handover';

export const accountActions: readonly AccountAction[] = ['confirm', 'handover'];

/** The roles that keep the register: the same as the Account register page's (tab-pages.ts). */
export const registerKeepers: readonly SchoolRole[] = ['ictLeader', 'headTeacher', 'policyAdmin'];

export const isAccountAdministrator = (a: Pick<RegisteredAccount, 'administrators'>, viewer: Viewer): boolean => a.administrators.some((p) => p.id === viewer.id);

/** Undefined when `viewer` may take `action` on `a`; otherwise why not, with a stable code. */
export function accountRefusal(a: RegisteredAccount, viewer: Viewer, action: AccountAction): DomainError | undefined {
  switch (action) {
    case 'confirm':
      if (isAccountAdministrator(a, viewer)) return undefined;
      return domainError(ErrorCodes.ACCOUNT_NOT_ADMINISTRATOR, `Only the account’s administrators (${a.administrators.map((p) => p.name).join(', ')}) can confirm it went live.`);
    case 'handover':
      if ((viewer.roles ?? []).some((r) => registerKeepers.includes(r))) return undefined;
      return domainError(ErrorCodes.ACCOUNT_NOT_KEEPER, 'Only the ICT leader, the head teacher or a policy admin can hand an account over.');
  }
}

export const mayOnAccount = (a: RegisteredAccount, viewer: Viewer, action: AccountAction): boolean => !accountRefusal(a, viewer, action);

/** Every action with its answer for this viewer: what the register page shows. */
export function accountPermissions(a: RegisteredAccount, viewer: Viewer): Record<AccountAction, boolean> {
  const out = {} as Record<AccountAction, boolean>;
  for (const action of accountActions) out[action] = mayOnAccount(a, viewer, action);
  return out;
}
