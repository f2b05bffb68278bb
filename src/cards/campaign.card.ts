import { campaignPhaseWords, countingAudience, teamAudienceWords, COUNTING_AUDIENCE, departmentWords, RECIPIENT_STATE_LABELS, UNCONFIRMED_LABEL as unconfirmedLabel, UNCONFIRMED_MEANING as unconfirmedMeaning, type Campaign, type Progress } from '../domain/campaign';
import type { PolicyVersion } from '../domain/policy';
import { formatDay } from '../domain/display-dates';
import { actionSet, card, execute, fieldError, heading, inertMarkdown, input, labelled, note, openUrl, plain, type AdaptiveCard, type Element } from './ac';
import { Verbs } from './verbs';

/** The policy admin's form for launching an acknowledgement campaign. */
export function campaignLaunchCard(o: {
  versions: PolicyVersion[];
  today: string;
  defaultDeadline: string;
  /** The teams Countersign is in: each is an audience ("Members of Year 6 team"), sent as `team:<id>`. */
  teams?: Array<{ id: string; name: string }>;
  values?: { versionId?: string; deadline?: string; reminderEveryDays?: string; audience?: string };
  errors?: Record<string, string>;
}): AdaptiveCard {
  const e = o.errors ?? {};
  const v = o.values ?? {};
  const body: Element[] = [
    heading('Launch an acknowledgement campaign', 'Large'),
    note('Everyone in the audience gets the declaration in a 1:1 chat. Reminders go only to people who have not signed, until the deadline. People who join the school during the campaign are added at each reminder.'),
    input.choices('versionId', 'Policy version', o.versions.map((x) => ({ title: `${x.title} (${x.versionLabel})`, value: x.id })), { value: v.versionId ?? o.versions[0]?.id, required: true }),
    ...(e.versionId ? [fieldError(e.versionId)] : []),
    input.choices('audience', 'Audience', [{ title: 'All staff in the school directory', value: 'roster' }, ...(o.teams ?? []).map((t) => ({ title: teamAudienceWords(t.name), value: `team:${t.id}` }))], {
      value: v.audience ?? 'roster',
      required: true,
    }),
    ...(e['audience.teamId'] || e.audience ? [fieldError(e['audience.teamId'] ?? e.audience!)] : []),
    input.date('deadline', 'Deadline', { value: v.deadline ?? o.defaultDeadline, min: o.today, required: true }),
    ...(e.deadline ? [fieldError(e.deadline)] : []),
    { type: 'Input.Number', id: 'reminderEveryDays', label: 'Remind those who have not signed every (days)', min: 1, max: 90, value: Number(v.reminderEveryDays ?? 7) || 7 },
    ...(e.reminderEveryDays ? [fieldError(e.reminderEveryDays)] : []),
  ];
  return card(body, [execute('Launch campaign', Verbs.campaignLaunch, {}, { style: 'positive' })]);
}

const pct = (n: number, total: number) => `${total ? Math.round((n / total) * 100) : 0}%`;
const W = RECIPIENT_STATE_LABELS;

export interface CampaignStatusOptions {
  exportLink?: string;
  summary?: string;
  banner?: string;
  /** The school's time zone (config `timeZone`, SCHOOL_TIMEZONE): the day a campaign was closed is the school's day. */
  timeZone: string;
}

/**
 * Live progress for admins: totals, then each department on its own line. A phone gives a card
 * about 330 px, too narrow for a table of five columns (its headers broke inside words), so each
 * department reads as a sentence in the same words as the CSV.
 */
export function campaignStatusCard(c: Campaign, p: Progress, o: CampaignStatusOptions): AdaptiveCard {
  const phase = campaignPhaseWords(c, p, o.timeZone);
  const s = p.byState;
  const body: Element[] = [
    heading(`Campaign: ${inertMarkdown(c.title)} (${inertMarkdown(c.versionLabel)})`, 'Large'),
    ...(o.banner ? [plain(o.banner, { weight: 'Bolder' })] : []),
    labelled('Status', `${phase}. Deadline ${formatDay(c.deadline)}; reminders every ${c.reminderEveryDays} days.`),
    // Before the first page of the audience is booked there is nothing to count: "0 of 0" would read as an empty audience.
    ...(countingAudience(p)
      ? [plain(`${COUNTING_AUDIENCE} The figures appear within a minute: press Refresh.`, { spacing: 'Medium' })]
      : [
          labelled(W.signed, `${s.signed} of ${p.total} (${pct(s.signed, p.total)})`, { spacing: 'Medium' }),
          labelled(W.sent, String(s.sent), { spacing: 'None' }),
          // Cards that were on the wire when the process died: in doubt, and said so, not counted silently as waiting.
          ...(s.unconfirmed ? [labelled(unconfirmedLabel, `${s.unconfirmed}. ${capitalise(unconfirmedMeaning)}.`, { spacing: 'None' })] : []),
          labelled(W.queued, c.closed && s.queued ? `${s.queued} (not sent: the campaign is closed)` : String(s.queued), { spacing: 'None' }),
          labelled(W.failed, String(s.failed), { spacing: 'None' }),
        ]),
    ...(p.byDepartment.length ? [note('**By department**', { spacing: 'Medium', separator: true })] : []),
    ...p.byDepartment.map((d) => department(d)),
    ...(o.summary ? [note('**Summary for governors**', { spacing: 'Medium', separator: true }), plain(o.summary)] : []),
  ];
  // Short rows of buttons: four side by side are cut to "Ref…" and "Export for g…" at 330 px. Close campaign
  // has a row of its own, apart from Download CSV, so a thumb reaching for the file cannot end the campaign.
  const rows = [
    [execute('Refresh', Verbs.campaignStatus, { campaignId: c.id }), execute('Export for governors', Verbs.campaignExport, { campaignId: c.id })],
    o.exportLink ? [openUrl('Download CSV', o.exportLink)] : [],
    !c.closed ? [execute('Close campaign', Verbs.campaignClose, { campaignId: c.id }, { style: 'destructive' })] : [],
  ];
  body.push(...rows.filter((r) => r.length).map((r, i) => ({ ...actionSet(r), ...(i > 0 && r[0]!.style === 'destructive' ? { spacing: 'Large', separator: true } : {}) })));
  return card(body);
}

const capitalise = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** "Key Stage 1: 1 of 4 signed, 2 still to sign, 1 could not be reached" (the words: domain/campaign.ts). */
function department(d: Progress['byDepartment'][number]): Element {
  return labelled(d.department, departmentWords(d), { spacing: 'Small' });
}

/** A second launch for a version whose campaign is still open: names it and offers its status. */
export function campaignAlreadyOpenCard(open: Campaign, message: string): AdaptiveCard {
  return card([heading('A campaign is already open for this version', 'Large'), plain(message)], [execute('See its status', Verbs.campaignStatus, { campaignId: open.id })]);
}
