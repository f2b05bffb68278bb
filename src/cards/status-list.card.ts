import type { AccountRequest } from '../domain/account-request';
import type { PolicyVersion } from '../domain/policy';
import { card, container, execute, heading, note, plain, type AdaptiveCard, type Element } from './ac';
import { statusLine } from './request.card';
import { Verbs } from './verbs';

/** The `status` answer: declarations to sign, anything waiting for the sender's decision, then their own requests. */
export function statusListCard(mine: AccountRequest[], awaiting: AccountRequest[], toSign: PolicyVersion[] = []): AdaptiveCard {
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
  if (toSign.length) {
    body.push(
      note(`**Declarations to sign (${toSign.length})**`),
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
  if (awaiting.length) {
    body.push(note(`**Waiting for your decision (${awaiting.length})**`), ...awaiting.map((r) => row(r, 'Open to decide')));
  }
  body.push(...(mine.length ? mine.map((r) => row(r, 'Open')) : [note('You have not asked for any accounts yet.')]));
  return card(body, [execute('Request an account', Verbs.requestNew)]);
}
