import { card, execute, heading, plain, type AdaptiveCard } from './ac';
import { Verbs } from './verbs';

/** A short message in our own words, with an optional inert detail line. */
export function noticeCard(title: string, message: string, detail?: string): AdaptiveCard {
  return card(
    [heading(title), plain(message), ...(detail ? [plain(detail, { spacing: 'Small' })] : [])],
    [execute('My requests', Verbs.statusShow)],
  );
}
