/**
 * A small typed vocabulary for Adaptive Cards 1.5, the version Teams renders
 * on desktop, web and mobile (learn.microsoft.com, "Adaptive Cards in Teams").
 * Each builder returns plain JSON; tests validate every card with the
 * adaptivecards parser.
 */
export type Json = Record<string, unknown>;
export type Element = Json & { type: string };
export type Action = Json & { type: 'Action.Execute' | 'Action.OpenUrl' | 'Action.ShowCard' | 'Action.Submit' };

export const CARD_VERSION = '1.5';

export interface AdaptiveCard extends Json {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Element[];
  actions?: Action[];
  refresh?: { action: Action; userIds?: string[] };
}

export function card(body: Element[], actions: Action[] = [], extra: Partial<AdaptiveCard> = {}): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body: body.filter(Boolean),
    ...(actions.length ? { actions } : {}),
    ...extra,
  };
}

/**
 * Makes user-typed text inert: it is shown in TextRuns (which take no markdown)
 * and web addresses and e-mail addresses are broken with a zero-width space so
 * that no client turns them into live links in someone else's card.
 */
export function inert(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1:\u200B//')
    .replace(/(\w)\.(?=\w)/g, '$1.\u200B')
    .replace(/@/g, '@\u200B');
}

/** Our own words: TextBlock, which may use Teams' markdown subset. Never pass user text here. */
export const heading = (text: string, size: 'Medium' | 'Large' = 'Medium'): Element => ({
  type: 'TextBlock',
  text,
  size,
  weight: 'Bolder',
  wrap: true,
  style: 'heading',
});

export const note = (text: string, extra: Json = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

const runStyles = ['weight', 'color', 'isSubtle', 'size', 'italic'] as const;
/** Splits styling between the TextRun (weight, colour…) and the block (spacing, separator…), as the schema wants. */
function split(extra: Json): [Json, Json] {
  const run: Json = {};
  const block: Json = {};
  for (const [k, v] of Object.entries(extra)) ((runStyles as readonly string[]).includes(k) ? run : block)[k] = v;
  return [run, block];
}

/** A label in bold followed by user text, rendered without markdown. */
export const labelled = (label: string, value: string, extra: Json = {}): Element => {
  const [run, block] = split(extra);
  return {
    type: 'RichTextBlock',
    inlines: [
      { type: 'TextRun', text: `${label}: `, weight: 'Bolder' },
      { type: 'TextRun', text: inert(value || '—'), ...run },
    ],
    ...block,
  };
};

/** User text (or text that contains names) on its own, inert. */
export const plain = (value: string, extra: Json = {}): Element => {
  const [run, block] = split(extra);
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: inert(value), ...run }], ...block };
};

export const fieldError = (message: string): Element => ({
  type: 'TextBlock',
  text: inert(message),
  color: 'Attention',
  wrap: true,
  size: 'Small',
  spacing: 'None',
});

export const container = (items: Element[], extra: Json = {}): Element => ({ type: 'Container', items: items.filter(Boolean), ...extra });

export interface Choice {
  title: string;
  value: string;
}

export const input = {
  text: (id: string, label: string, o: { value?: string; multiline?: boolean; placeholder?: string; maxLength?: number; required?: boolean } = {}): Element => ({
    type: 'Input.Text',
    id,
    label,
    ...(o.value ? { value: o.value } : {}),
    ...(o.multiline ? { isMultiline: true } : {}),
    ...(o.placeholder ? { placeholder: o.placeholder } : {}),
    ...(o.maxLength ? { maxLength: o.maxLength } : {}),
    ...(o.required ? { isRequired: true, errorMessage: `${label} is required.` } : {}),
  }),
  date: (id: string, label: string, o: { value?: string; min?: string; required?: boolean } = {}): Element => ({
    type: 'Input.Date',
    id,
    label,
    ...(o.value ? { value: o.value } : {}),
    ...(o.min ? { min: o.min } : {}),
    ...(o.required ? { isRequired: true, errorMessage: `${label} is required.` } : {}),
  }),
  choices: (
    id: string,
    label: string,
    choices: Choice[],
    o: { value?: string; multi?: boolean; expanded?: boolean; required?: boolean; placeholder?: string } = {},
  ): Element => ({
    type: 'Input.ChoiceSet',
    id,
    label,
    choices,
    ...(o.value ? { value: o.value } : {}),
    ...(o.multi ? { isMultiSelect: true } : {}),
    style: o.expanded ? 'expanded' : 'compact',
    ...(o.placeholder ? { placeholder: o.placeholder } : {}),
    ...(o.required ? { isRequired: true, errorMessage: `${label}: choose at least one.` } : {}),
  }),
};

/**
 * Universal Actions button. Older Teams clients that cannot run Action.Execute
 * fall back to Action.Submit with the verb in the data, and the bot handles both
 * (learn.microsoft.com, "Universal Actions for Adaptive Cards: backward compatibility").
 */
export function execute(title: string, verb: string, data: Json = {}, extra: Json = {}): Action {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...extra,
    fallback: { type: 'Action.Submit', title, data: { ...data, verb } },
  };
}

export const openUrl = (title: string, url: string): Action => ({ type: 'Action.OpenUrl', title, url });

export const actionSet = (actions: Action[]): Element => ({ type: 'ActionSet', actions });

/** A refresh block: these users' clients fetch their own view automatically (at most 60 ids, per Teams). */
export function refresh(data: Json, userIds: string[]): AdaptiveCard['refresh'] {
  return { action: { type: 'Action.Execute', verb: 'refresh', data }, userIds: userIds.slice(0, 60) };
}

// Intl formatters are costly to build (a campaign renders thousands of cards), so each is made once.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat) {
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** Server time in a form a person reads: "Mon 23 Nov 2026, 14:05 GMT". */
export function when(iso: string, timeZone = 'Europe/London'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter(`when:${timeZone}`, () =>
    new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }),
  ).format(d);
}

export function day(isoDate: string): string {
  if (!isoDate) return '—';
  const d = new Date(`${isoDate}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : formatter('day', () => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })).format(d);
}
