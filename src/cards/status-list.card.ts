import type { AccountRequest } from '../domain/account-request';
import { card, container, execute, heading, note, plain, type AdaptiveCard, type Element } from './ac';
import { statusLine } from './request.card';
import { Verbs } from './verbs';

/** The `status` answer: the sender's requests and where each is, then anything waiting for their decision. */
export function statusListCard(mine: AccountRequest[], awaiting: AccountRequest[]): AdaptiveCard {
  const row = (r: AccountRequest, label: string): Element =>
    container(
      [
        plain(`${r.reference}: ${r.details.platform} for ${r.details.department}`, { weight: 'Bolder' }),
        plain(statusLine(r), { spacing: 'None', isSubtle: true }),
        { type: 'ActionSet', actions: [execute(label, Verbs.requestView, { requestId: r.id })] },
      ],
      { separator: true },
    );
  const body: Element[] = [heading('Your requests', 'Large')];
  if (awaiting.length) {
    body.push(note(`**Waiting for your decision (${awaiting.length})**`), ...awaiting.map((r) => row(r, 'Open to decide')));
  }
  body.push(...(mine.length ? mine.map((r) => row(r, 'Open')) : [note('You have not asked for any accounts yet.')]));
  return card(body, [execute('Request an account', Verbs.requestNew)]);
}
