import { RECIPIENT_STATE_LABELS, type Campaign, type Progress } from '../domain/campaign';
import type { PolicyVersion } from '../domain/policy';
import { card, day, execute, fieldError, heading, input, labelled, note, openUrl, plain, type AdaptiveCard, type Element } from './ac';
import { Verbs } from './verbs';

/** The policy admin's form for launching an acknowledgement campaign. */
export function campaignLaunchCard(o: {
  versions: PolicyVersion[];
  today: string;
  defaultDeadline: string;
  values?: { versionId?: string; deadline?: string; reminderEveryDays?: string };
  errors?: Record<string, string>;
}): AdaptiveCard {
  const e = o.errors ?? {};
  const v = o.values ?? {};
  const body: Element[] = [
    heading('Launch an acknowledgement campaign', 'Large'),
    note('Everyone in the audience gets the declaration in a 1:1 chat. Reminders go only to people who have not signed, until the deadline. People who join the school during the campaign are added at each reminder.'),
    input.choices('versionId', 'Policy version', o.versions.map((x) => ({ title: `${x.title} (${x.versionLabel})`, value: x.id })), { value: v.versionId ?? o.versions[0]?.id, required: true }),
    ...(e.versionId ? [fieldError(e.versionId)] : []),
    input.choices('audience', 'Audience', [{ title: 'All staff in the school directory', value: 'roster' }], { value: 'roster', required: true }),
    input.date('deadline', 'Deadline', { value: v.deadline ?? o.defaultDeadline, min: o.today, required: true }),
    ...(e.deadline ? [fieldError(e.deadline)] : []),
    { type: 'Input.Number', id: 'reminderEveryDays', label: 'Remind those who have not signed every (days)', min: 1, max: 90, value: Number(v.reminderEveryDays ?? 7) || 7 },
    ...(e.reminderEveryDays ? [fieldError(e.reminderEveryDays)] : []),
  ];
  return card(body, [execute('Launch campaign', Verbs.campaignLaunch, {}, { style: 'positive' })]);
}

const pct = (n: number, total: number) => `${total ? Math.round((n / total) * 100) : 0}%`;

/** Live progress for admins: totals, then the figures by department. */
export function campaignStatusCard(c: Campaign, p: Progress, o: { exportLink?: string; summary?: string; banner?: string } = {}): AdaptiveCard {
  const phase = {
    preparing: 'Preparing the audience: reading the directory and booking the cards',
    sending: 'Sending cards',
    open: 'Open',
    closed: c.closed ? `Closed by ${c.closed.byName} on ${day(c.closed.at.slice(0, 10))}` : 'Closed (deadline passed)',
  }[p.phase];
  const body: Element[] = [
    heading(`Campaign: ${c.title} (${c.versionLabel})`, 'Large'),
    ...(o.banner ? [plain(o.banner, { weight: 'Bolder' })] : []),
    labelled('Status', `${phase}. Deadline ${day(c.deadline)}; reminders every ${c.reminderEveryDays} days.`),
    labelled('Signed', `${p.byState.signed} of ${p.total} (${pct(p.byState.signed, p.total)})`),
    labelled('Waiting to sign', String(p.byState.sent)),
    // Cards that were on the wire when the process died: in doubt, and said so, not counted silently as waiting.
    ...(p.byState.unconfirmed ? [labelled('Sent, delivery not confirmed', `${p.byState.unconfirmed}: ${RECIPIENT_STATE_LABELS.unconfirmed.replace(/^sent, delivery not confirmed: /, '')}`)] : []),
    labelled('Still to send', c.closed && p.byState.queued ? `${p.byState.queued} (not sent: the campaign is closed)` : String(p.byState.queued)),
    labelled('Could not be reached', String(p.byState.failed)),
    {
      type: 'Table',
      firstRowAsHeader: true,
      columns: [{ width: 3 }, { width: 1 }, { width: 1 }, { width: 1 }],
      rows: [
        row(['Department', 'Signed', 'Outstanding', 'Failed'], true),
        ...p.byDepartment.map((d) => row([d.department, `${d.signed}/${d.total}`, String(d.outstanding), String(d.failed)])),
      ],
      spacing: 'Medium',
    },
    ...(o.summary ? [note('**Summary for governors**', { spacing: 'Medium' }), plain(o.summary)] : []),
  ];
  const actions = [execute('Refresh', Verbs.campaignStatus, { campaignId: c.id }), execute('Export for governors', Verbs.campaignExport, { campaignId: c.id })];
  if (!c.closed) actions.push(execute('Close campaign', Verbs.campaignClose, { campaignId: c.id }, { style: 'destructive' }));
  if (o.exportLink) actions.push(openUrl('Download CSV', o.exportLink) as any);
  return card(body, actions);
}

/** A second launch for a version whose campaign is still open: names it and offers its status. */
export function campaignAlreadyOpenCard(open: Campaign, message: string): AdaptiveCard {
  return card([heading('A campaign is already open for this version', 'Large'), plain(message)], [execute('See its status', Verbs.campaignStatus, { campaignId: open.id })]);
}

function row(cells: string[], header = false): Element {
  return {
    type: 'TableRow',
    cells: cells.map((text) => ({ type: 'TableCell', items: [plain(text, header ? { weight: 'Bolder' } : {})] })),
  };
}
