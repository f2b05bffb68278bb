import { z } from 'zod';

/**
 * Card data comes from the client and is untrusted: we take ids from it and
 * nothing else that matters. Who is acting comes from the activity, and the
 * state is reloaded on the server.
 */
const id = z.string().trim().min(1).max(100);
const count = z.coerce.number().int().min(0).max(1000);

export const requestRef = z.object({ requestId: id });

export const decisionData = z.object({
  requestId: id,
  step: count,
  round: count,
  signature: z.string().max(200, 'Signature: keep it under 200 characters.').optional().default(''),
  comment: z.string().max(2000, 'Comment: keep it under 2,000 characters.').optional().default(''),
});
export type DecisionData = z.infer<typeof decisionData>;

/** Action.Submit fallbacks carry the verb in their data. */
export const submitEnvelope = z.object({ verb: z.string().max(100) }).passthrough();

export const declarationData = z.object({
  versionId: id,
  campaignId: id.optional(),
  typedName: z.string().max(2000).optional().default(''),
  confirm: z.string().max(10).optional().default('false'),
});

export const campaignLaunchData = z.object({
  versionId: z.string().max(100).default(''),
  deadline: z.string().max(40).default(''),
  reminderEveryDays: z.coerce.number().optional(),
  /** 'roster', or `team:<Teams team id>` for the members of a team Countersign is in. */
  audience: z.string().max(300).optional(),
});

/** Which declaration a card shows; both optional (a text command shows the current version). */
export const declarationRef = declarationData.pick({ versionId: true, campaignId: true }).partial();

/**
 * Which campaign a card is about. Optional: text commands mean the latest. An
 * over-long id is cut rather than refused, and a non-string id means "latest",
 * as cards already sent have always been answered.
 */
export const campaignRef = z.object({
  campaignId: z
    .string()
    .transform((s) => s.slice(0, 100))
    .optional()
    .catch(undefined),
});

/**
 * The value of an `adaptiveCard/action` invoke that we answer: an Action.Execute.
 * Anything else (Action.Submit sent as an invoke, or no action at all) is refused with a 400.
 */
export const executeInvoke = z.object({
  action: z.object({ type: z.literal('Action.Execute') }).passthrough(),
});
