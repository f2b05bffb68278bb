import { z } from 'zod';
import {
  audienceOptions,
  visibilityOptions,
  type AudienceGroup,
  type NamedStaff,
  type RequestDetails,
} from './account-request';
import type { StaffMember } from './people';
import { formatDay } from './display-dates';
import { passwordRefusal } from './no-secrets';
import { err, ok, type Result } from './result';

/** Card input ids, in form order, with the label a person sees. Card and validator share them. */
export const requestFieldLabels = {
  department: 'Department',
  siteModerator: 'Moderator of the site',
  aims: 'Aims',
  content: 'Proposed content',
  audience: 'Audience',
  audienceDetails: 'Audience details',
  contributors: 'Contributors',
  contributorsDetails: 'Contributor details',
  administrators: 'Administrators',
  moderators: 'Moderators',
  vetterName: 'Who vets external contributors (name)',
  vetterRole: 'Who vets external contributors (job role)',
  platform: 'Platform',
  host: 'Who will host the site',
  goLive: 'Go-live date',
  closure: 'Closure date',
  advertising: 'How contributors will be found',
  parentalConsent: 'Parental consent',
  security: 'Security measures',
  visibility: 'Open or private',
  promotion: 'How the account will be promoted',
  successMeasures: 'How success will be judged',
} as const;
export type RequestField = keyof typeof requestFieldLabels;

/**
 * What each field holds. Free text is refused when it holds something shaped like a password
 * (no-secrets.ts); choices, people and dates are checked against their lists and formats, so they
 * cannot hold one either. A Record over every field: a new field does not compile until it is classed.
 */
export const requestFieldKinds: Record<RequestField, 'text' | 'choice' | 'people' | 'date'> = {
  department: 'text',
  siteModerator: 'text',
  aims: 'text',
  content: 'text',
  audience: 'choice',
  audienceDetails: 'text',
  contributors: 'choice',
  contributorsDetails: 'text',
  administrators: 'people',
  moderators: 'people',
  vetterName: 'text',
  vetterRole: 'text',
  platform: 'text',
  host: 'text',
  goLive: 'date',
  closure: 'date',
  advertising: 'text',
  parentalConsent: 'text',
  security: 'text',
  visibility: 'choice',
  promotion: 'text',
  successMeasures: 'text',
};

/** The form's free-text fields, in form order. */
export const requestTextFields: RequestField[] = (Object.keys(requestFieldLabels) as RequestField[]).filter((f) => requestFieldKinds[f] === 'text');

export const SHORT_TEXT_MAX = 200;

/**
 * The date and people rules in words, shared by the card's own client-side
 * messages and the server's, so a refusal reads the same wherever it happens.
 */
export const GO_LIVE_RULE = 'Go-live must be today or later.';
export const CLOSURE_RULE = 'Closure must be after go-live, or leave it empty.';
export const AT_LEAST_TWO = 'choose at least two people';
export const LONG_TEXT_MAX = 2000;
/** Children may contribute when either of these is ticked, and then consent must be explained. */
const childContributors: AudienceGroup[] = ['pupils', 'otherSchools'];

const groupValues = audienceOptions.map((o) => o.value) as [AudienceGroup, ...AudienceGroup[]];
const visibilityValues = visibilityOptions.map((o) => o.value) as [string, ...string[]];

/** Adaptive Card inputs arrive as strings, or missing; anything else is treated as missing. */
const raw = z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string());

const text = (field: RequestField, max: number, required = true) =>
  raw.superRefine((v, ctx) => {
    if (required && !v) ctx.addIssue({ code: 'custom', message: `${requestFieldLabels[field]} is required.` });
    if (v.length > max)
      ctx.addIssue({
        code: 'custom',
        message: `${requestFieldLabels[field]} is too long: keep it under ${max.toLocaleString('en-GB')} characters (it has ${v.length.toLocaleString('en-GB')}).`,
      });
  });

/** A multi-select ChoiceSet sends its values comma-separated. */
const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (v: string) => isoDate.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

const formShape = z.object({
  department: text('department', SHORT_TEXT_MAX),
  // Optional: the form no longer asks for it next to Moderators; it is derived from them when absent.
  siteModerator: text('siteModerator', SHORT_TEXT_MAX, false),
  aims: text('aims', LONG_TEXT_MAX),
  content: text('content', LONG_TEXT_MAX),
  audience: text('audience', LONG_TEXT_MAX),
  audienceDetails: text('audienceDetails', LONG_TEXT_MAX, false),
  contributors: text('contributors', LONG_TEXT_MAX),
  contributorsDetails: text('contributorsDetails', LONG_TEXT_MAX, false),
  administrators: text('administrators', LONG_TEXT_MAX),
  moderators: text('moderators', LONG_TEXT_MAX),
  vetterName: text('vetterName', SHORT_TEXT_MAX),
  vetterRole: text('vetterRole', SHORT_TEXT_MAX),
  platform: text('platform', SHORT_TEXT_MAX),
  host: text('host', SHORT_TEXT_MAX),
  goLive: text('goLive', SHORT_TEXT_MAX),
  closure: text('closure', SHORT_TEXT_MAX, false),
  advertising: text('advertising', LONG_TEXT_MAX),
  parentalConsent: text('parentalConsent', LONG_TEXT_MAX, false),
  security: text('security', LONG_TEXT_MAX),
  visibility: text('visibility', SHORT_TEXT_MAX),
  promotion: text('promotion', LONG_TEXT_MAX),
  successMeasures: text('successMeasures', LONG_TEXT_MAX),
});

export type FieldErrors = Partial<Record<RequestField, string>>;

/** The raw values as typed, kept so a card with errors can be shown again with nothing lost. */
export type RequestFormValues = Partial<Record<RequestField, string>>;

export interface FormContext {
  /** Today's date at the school, YYYY-MM-DD, from the injected clock. */
  today: string;
  /** Staff who can be named as administrators and moderators, by id. */
  staff: ReadonlyMap<string, StaffMember>;
}

/** Keeps only the known fields, as strings, capped so that an oversized value cannot bloat a card sent back. */
export function formValues(input: unknown): RequestFormValues {
  const out: RequestFormValues = {};
  if (!input || typeof input !== 'object') return out;
  for (const key of Object.keys(requestFieldLabels) as RequestField[]) {
    const v = (input as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = v.slice(0, LONG_TEXT_MAX);
  }
  return out;
}

/**
 * Validates a submitted request form on the server. Every message names the
 * field and says how to fix it.
 */
export function parseRequestForm(input: unknown, ctx: FormContext): Result<RequestDetails, FieldErrors> {
  const errors: FieldErrors = {};
  const parsed = formShape.safeParse(input && typeof input === 'object' ? input : {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as RequestField;
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  const raw = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const get = (f: RequestField) => (parsed.success ? parsed.data[f] : typeof raw[f] === 'string' ? (raw[f] as string).trim() : '');

  // No password is ever stored: a free-text field holding something shaped like one is refused, named, with the input kept.
  for (const f of requestTextFields) {
    const refusal = errors[f] ? undefined : passwordRefusal(requestFieldLabels[f], get(f));
    if (refusal) errors[f] = refusal;
  }

  const groups = (field: 'audience' | 'contributors'): AudienceGroup[] => {
    const list = splitList(get(field));
    const unknown = list.filter((g) => !groupValues.includes(g as AudienceGroup));
    if (unknown.length && !errors[field]) errors[field] = `${requestFieldLabels[field]}: choose from the list (not “${unknown[0].slice(0, 40)}”).`;
    return list.filter((g): g is AudienceGroup => groupValues.includes(g as AudienceGroup));
  };
  const audience = groups('audience');
  const contributors = groups('contributors');
  if (audience.includes('others') && !get('audienceDetails') && !errors.audienceDetails)
    errors.audienceDetails = 'Audience details: you ticked “Others”, so say who they are.';
  if (contributors.includes('others') && !get('contributorsDetails') && !errors.contributorsDetails)
    errors.contributorsDetails = 'Contributor details: you ticked “Others”, so say who they are.';
  if (contributors.some((g) => childContributors.includes(g)) && !get('parentalConsent') && !errors.parentalConsent)
    errors.parentalConsent = 'Parental consent: children will contribute, so explain how parents or carers are told and give consent.';

  const people = (field: 'administrators' | 'moderators'): NamedStaff[] => {
    const ids = [...new Set(splitList(get(field)))];
    const known = ids.map((id) => ctx.staff.get(id)).filter((s): s is StaffMember => !!s);
    if (!errors[field] && known.length !== ids.length) errors[field] = `${requestFieldLabels[field]}: choose staff from the list.`;
    else if (!errors[field] && known.length < 2) errors[field] = `${requestFieldLabels[field]}: ${AT_LEAST_TWO} (you chose ${known.length}).`;
    return known.map((s) => ({ id: s.id, name: s.name }));
  };
  const administrators = people('administrators');
  const moderators = people('moderators');

  const goLive = get('goLive');
  const closure = get('closure');
  if (!errors.goLive && !validDate(goLive)) errors.goLive = 'Go-live date: pick a date from the calendar (YYYY-MM-DD).';
  else if (!errors.goLive && goLive < ctx.today) errors.goLive = `${GO_LIVE_RULE} ${formatDay(goLive)} has passed.`;
  if (closure && !errors.closure) {
    if (!validDate(closure)) errors.closure = 'Closure date: pick a date from the calendar (YYYY-MM-DD), or leave it empty.';
    // Checked on its own as well: with a go-live in the past, a closure after it can still be past.
    else if (closure <= ctx.today) errors.closure = `Closure date ${formatDay(closure)} is not in the future. ${CLOSURE_RULE}`;
    else if (validDate(goLive) && closure <= goLive) errors.closure = `Closure date ${formatDay(closure)} is not after go-live (${formatDay(goLive)}). ${CLOSURE_RULE}`;
  }
  const visibility = get('visibility');
  if (!errors.visibility && !visibilityValues.includes(visibility)) errors.visibility = 'Open or private: choose one of the two options.';

  if (Object.keys(errors).length > 0) return err(errors);
  return ok({
    department: get('department'),
    siteModerator: get('siteModerator') || moderators.map((p) => p.name).join(', '),
    aims: get('aims'),
    content: get('content'),
    audience,
    audienceDetails: get('audienceDetails'),
    contributors,
    contributorsDetails: get('contributorsDetails'),
    administrators,
    moderators,
    vetterName: get('vetterName'),
    vetterRole: get('vetterRole'),
    platform: get('platform'),
    host: get('host'),
    goLive,
    closure,
    advertising: get('advertising'),
    parentalConsent: get('parentalConsent'),
    security: get('security'),
    visibility: visibility as RequestDetails['visibility'],
    promotion: get('promotion'),
    successMeasures: get('successMeasures'),
  });
}

/** The raw form values for a stored request, to pre-fill the form for editing. */
export function detailsToFormValues(d: RequestDetails): RequestFormValues {
  return {
    ...Object.fromEntries(
      (Object.keys(requestFieldLabels) as RequestField[]).map((k) => {
        const value = (d as unknown as Record<string, unknown>)[k];
        return [k, typeof value === 'string' ? value : ''];
      }),
    ),
    audience: d.audience.join(','),
    contributors: d.contributors.join(','),
    administrators: d.administrators.map((p) => p.id).join(','),
    moderators: d.moderators.map((p) => p.id).join(','),
  };
}
