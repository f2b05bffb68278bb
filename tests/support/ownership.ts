import { mayOnAccount } from '../../src/domain/account-permissions';
import { mayRunCampaigns } from '../../src/domain/campaign-permissions';
import { may, type Viewer } from '../../src/domain/request-permissions';
import { mayAssignRoles } from '../../src/domain/roles';
import { pageRefusal } from '../../src/domain/tab-pages';
import type { AppStore } from '../../src/server/app-store';
import type { RowChange } from './row-changes';

/**
 * Whose records a call changed, judged on the rows it wrote (tests/support/row-changes.ts): the
 * oracle of the property tests' "no change to anyone's records but the actor's own". A row is the
 * actor's own by its owner column; beyond that an actor may change exactly what the domain's own
 * rules let them (src/domain/*-permissions.ts, tab-pages.ts, roles.ts), asked before the call about
 * the records it names: deciding a request waiting for them, running campaigns, publishing policies,
 * assigning roles, confirming or handing over an account.
 */

/** Tables left out: delivery machinery (the actor's legitimate notifications to others) and the bot's bookkeeping of chats and teams. */
export const notCompared = ['conversations', 'jobs', 'sent_cards', 'demo_inbox', 'teams'];

/** Who owns a row, per table. */
const owner: Record<string, string> = { requests: 'requester_id', decisions: 'actor_id', audit: 'actor_id', declarations: 'signer_id', recipients: 'user_id', policy_opens: 'user_id' };

export interface Licence {
  requests: Set<string>;
  accounts: Set<string>;
  campaigns: boolean;
  policies: boolean;
  roles: boolean;
}

/** What the domain's rules let `viewer` change, about the records named by `ids` (looked up now, before the call). */
export async function licenceOf(store: AppStore, viewer: Viewer, ids: Iterable<string>): Promise<Licence> {
  const requests = new Set<string>();
  const accounts = new Set<string>();
  for (const id of new Set(ids)) {
    if (!id || id.length > 200) continue;
    const r = (await store.getRequest(id))?.value;
    if (r && (may(r, viewer, 'decide') || may(r, viewer, 'withdraw') || may(r, viewer, 'resubmit'))) requests.add(r.id);
    const a = (await store.getAccount(id))?.value;
    if (a && (mayOnAccount(a, viewer, 'confirm') || mayOnAccount(a, viewer, 'handover'))) accounts.add(a.id);
  }
  return { requests, accounts, campaigns: mayRunCampaigns(viewer), policies: !pageRefusal(viewer, 'policies', { demo: true }), roles: mayAssignRoles(viewer) };
}

/** Why these rows may not be changed by `actor` (undefined when each is theirs, or theirs to change by `licence`). */
export function notTheirs(rows: RowChange[], actor: string | undefined, licence: Licence | undefined): string | undefined {
  const allowed = (table: string, row: Record<string, unknown> | undefined): boolean => {
    if (!row) return true;
    // Shared counters anyone's own change advances: the next request number, and the head of the school's
    // audit chain (its count and last hash), which every audit entry moves on.
    if (table === 'meta' && /_seq$/.test(String(row.key))) return true;
    if (table === 'audit_heads') return true;
    if (owner[table] && actor && row[owner[table]] === actor) return true;
    if (!licence) return false;
    switch (table) {
      case 'requests':
        return licence.requests.has(String(row.id));
      case 'accounts':
        // The final approval registers the account of the request decided.
        return licence.accounts.has(String(row.id)) || licence.requests.has(String(row.request_id));
      case 'campaigns':
      case 'recipients':
        return licence.campaigns;
      case 'policies':
      case 'policy_versions':
        return licence.policies;
      case 'staff':
        return licence.roles;
      default:
        return false;
    }
  };
  const bad = rows.filter((r) => !allowed(r.table, r.before) || !allowed(r.table, r.after));
  return bad.length ? bad.slice(0, 5).map((r) => `${r.table}: ${JSON.stringify(r.before ?? null).slice(0, 250)} → ${JSON.stringify(r.after ?? null).slice(0, 250)}`).join('\n') : undefined;
}

/** Every string in a value, a few levels deep: the ids a call or a card's data may name. */
export function stringsIn(v: unknown, depth = 3, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') out.add(v.trim());
  else if (v && typeof v === 'object' && depth > 0) for (const x of Object.values(v)) stringsIn(x, depth - 1, out);
  return out;
}
