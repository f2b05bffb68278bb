/**
 * A small typed vocabulary for Adaptive Cards 1.5, the version Teams renders
 * on desktop, web and mobile (learn.microsoft.com, "Adaptive Cards in Teams").
 * Each builder returns plain JSON; tests validate every card with the
 * adaptivecards parser.
 */
export type Json = Record<string, unknown>;
export type Element = Json & { type: string };
export type Action = Json & { type: 'Action.Execute' | 'Action.OpenUrl' | 'Action.ShowCard' | 'Action.Submit' | 'Action.ToggleVisibility' };

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

/**
 * Typed text made to show as typed inside a TextBlock, which renders Teams' markdown subset (links,
 * images, emphasis, lists) and Teams' {{DATE()}} function: addresses broken as `inert` breaks them, and
 * each character that opens a link, an image, emphasis, code, a date function or a tag followed by a
 * zero-width space, so "[Read the policy](https://…)" stays those characters and never becomes a link.
 * For the few places that must be a TextBlock (a heading); everywhere else user text goes in `plain`.
 */
export function inertMarkdown(text: string): string {
  return inert(text).replace(/[[\]*_~`${<]/g, '$&\u200B');
}

/** Our own words: TextBlock, which may use Teams' markdown subset. Never pass user text here (use `inertMarkdown` where it must be). */
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
      { type: 'TextRun', text: inert(value || 'Not given'), ...run },
    ],
    ...block,
  };
};

/** User text (or text that contains names) on its own, inert. */
export const plain = (value: string, extra: Json = {}): Element => {
  const [run, block] = split(extra);
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: inert(value), ...run }], ...block };
};

/** What every field error starts with: the words, not a colour, say that something needs fixing. */
export const FIELD_ERROR_LEAD = 'Please fix: ';

/**
 * The message beside a field the server refused. In the Default colour: Teams' Attention red on its
 * dark theme (#d74654 on #2d2c2c) and Good green on its light theme (#92c353 on white) are below the
 * 4.5:1 contrast WCAG asks for (tests/e2e/cards-330.test.ts measures it), so the lead words carry the
 * meaning instead. Plain text runs, so nothing in the message is read as markdown.
 */
export const fieldError = (message: string): Element => ({
  type: 'RichTextBlock',
  inlines: [
    { type: 'TextRun', text: FIELD_ERROR_LEAD, weight: 'Bolder' },
    { type: 'TextRun', text: inert(message) },
  ],
  spacing: 'None',
});

export const container = (items: Element[], extra: Json = {}): Element => ({ type: 'Container', items: items.filter(Boolean), ...extra });

export interface Choice {
  title: string;
  value: string;
}

/**
 * Inputs. `errorMessage` is what the client shows beside the field when its own
 * check fails (required, or a date before `min`), so it must say the same rule
 * as the server: without one, pressing the button looks like it does nothing.
 */
export const input = {
  text: (
    id: string,
    label: string,
    o: { value?: string; multiline?: boolean; placeholder?: string; maxLength?: number; required?: boolean; errorMessage?: string } = {},
  ): Element => ({
    type: 'Input.Text',
    id,
    label,
    ...(o.value ? { value: o.value } : {}),
    ...(o.multiline ? { isMultiline: true } : {}),
    ...(o.placeholder ? { placeholder: o.placeholder } : {}),
    ...(o.maxLength ? { maxLength: o.maxLength } : {}),
    ...(o.required ? { isRequired: true, errorMessage: o.errorMessage ?? `${label} is required.` } : {}),
  }),
  /** A date; with `min` the client refuses an earlier date and shows `errorMessage`, which must say so. */
  date: (id: string, label: string, o: { value?: string; min?: string; required?: boolean; errorMessage?: string } = {}): Element => ({
    type: 'Input.Date',
    id,
    label,
    ...(o.value ? { value: o.value } : {}),
    ...(o.min ? { min: o.min } : {}),
    ...(o.required ? { isRequired: true } : {}),
    ...(o.required || o.min ? { errorMessage: o.errorMessage ?? `${label} is required.` } : {}),
  }),
  choices: (
    id: string,
    label: string,
    choices: Choice[],
    o: { value?: string; multi?: boolean; expanded?: boolean; required?: boolean; placeholder?: string; errorMessage?: string } = {},
  ): Element => ({
    type: 'Input.ChoiceSet',
    id,
    label,
    choices,
    ...(o.value ? { value: o.value } : {}),
    ...(o.multi ? { isMultiSelect: true } : {}),
    style: o.expanded ? 'expanded' : 'compact',
    // Long choices ("Gareth Lloyd (Computing Subject Leader and Year 5 Teacher)") wrap instead of being cut at 330 px.
    wrap: true,
    ...(o.placeholder ? { placeholder: o.placeholder } : {}),
    ...(o.required ? { isRequired: true, errorMessage: o.errorMessage ?? `${label}: ${o.multi ? 'choose at least one' : 'choose one'}.` } : {}),
  }),
};

/**
 * A button that shows or hides an element in place, on phone and desktop alike
 * (Action.ToggleVisibility, Adaptive Cards 1.2+, supported by Teams).
 */
export const toggle = (title: string, targetId: string): Action => ({ type: 'Action.ToggleVisibility', title, targetElements: [targetId] });

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
