import type { AccountRequest } from '../domain/account-request';
import type { RegisteredAccount } from '../ports/store';
import { formatDay } from '../domain/display-dates';
import { card, heading, inert, labelled, note, plain, type AdaptiveCard } from './ac';

/**
 * Sent to each named administrator once the head teacher has approved. The
 * checklist follows the school policies: the school's logo on the profile, a
 * school e-mail address rather than a personal one, the strongest privacy
 * settings that suit the audience, and the login held by the network manager
 * before go-live. It never asks for a password.
 */
export function accountApprovedCard(a: RegisteredAccount, r: AccountRequest, ictLeaderName: string): AdaptiveCard {
  return card([
    heading('You can now create the account', 'Large'),
    plain(`${r.reference}: the ${a.platform} account for ${a.department}, requested by ${a.ownerName}, has been approved. You are one of its administrators.`),
    labelled('Go live', formatDay(a.goLive)),
    labelled('Closure', a.closure ? formatDay(a.closure) : 'No planned closure'),
    labelled('Open or private', a.visibility === 'open' ? 'Open to anyone' : 'Private / closed'),
    labelled('Administrators', a.administrators.map((p) => p.name).join(', ')),
    labelled('Moderators', a.moderators.map((p) => p.name).join(', ')),
    note('**Before it goes live**', { spacing: 'Medium' }),
    note(
      [
        "- Use the school's logo and name on the profile, linking back to the school website where the platform allows.",
        '- Register it with a school e-mail address, never a personal one.',
        `- Turn on the strongest privacy settings that suit the audience${a.visibility === 'private' ? ': this account was approved as private / closed' : ''}.`,
        `- Hand the login details to the network manager (${inert(ictLeaderName)}) before go-live, in person or through the school's password manager.`,
      ].join('\n'),
    ),
    plain('Never send a password in Teams chat or e-mail. Countersign will never ask you for one.', { weight: 'Bolder' }),
  ]);
}
