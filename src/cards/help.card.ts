import { card, execute, heading, note, type AdaptiveCard } from './ac';
import { Verbs } from './verbs';

/** The help card: what Countersign does, and a button for each thing it does. Also the answer to unknown text. */
export function helpCard(opts: { schoolName: string; unknownText?: boolean }): AdaptiveCard {
  return card(
    [
      heading('Countersign'),
      ...(opts.unknownText ? [note("Sorry, I didn't understand that. Here is what I can do.", { isSubtle: true })] : []),
      note(`I look after the paperwork for ${opts.schoolName}'s social media accounts, right here in Teams chat.`),
      note('- **request**: ask for a new school social media account. Your request goes to the Computing/ICT subject leader, then to the head teacher.\n- **status**: see where your requests are, and anything waiting for your decision.\n- **help**: show this card again.'),
    ],
    [execute('Request an account', Verbs.requestNew), execute('My requests', Verbs.statusShow)],
  );
}
