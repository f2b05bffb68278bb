import { actionSet, card, execute, heading, note, type AdaptiveCard } from './ac';
import { Verbs } from './verbs';

export interface HelpCardOptions {
  schoolName: string;
  /** The answer to text the bot did not understand. */
  unknownText?: boolean;
  /** Lists `campaign`, which only policy admins may use; the bot resolves it on the server. */
  policyAdmin?: boolean;
}

/** The help card: what Countersign does, and a button for each thing it does. Also the welcome and the answer to unknown text. */
export function helpCard(opts: HelpCardOptions): AdaptiveCard {
  const commands = [
    '- **request**: ask for a new school social media account. Your request goes to the Computing/ICT subject leader, then to the head teacher.',
    '- **status**: see where your requests are, and anything waiting for your decision.',
    '- **sign**: read and sign the current policy declaration.',
    ...(opts.policyAdmin ? ['- **campaign launch**, **campaign status**, **campaign export**: send the declaration to all staff, follow who has signed, and export the record for governors.'] : []),
    '- **help**: show this card again.',
  ];
  // Two buttons a row, in the body: three or four side by side are cut to "Reque…" and "My…" on a 330 px phone card.
  const rows = [
    [execute('Request an account', Verbs.requestNew), execute('My requests', Verbs.statusShow)],
    [execute('Sign the declaration', Verbs.declarationShow), ...(opts.policyAdmin ? [execute('Campaigns', Verbs.campaignStatus)] : [])],
  ];
  return card([
    heading('Countersign'),
    ...(opts.unknownText ? [note("Sorry, I didn't understand that. Here is what I can do.", { isSubtle: true })] : []),
    note(`I look after the paperwork for ${opts.schoolName}'s social media accounts and policy declarations, right here in Teams chat.`),
    note(commands.join('\n')),
    ...rows.map(actionSet),
  ]);
}
