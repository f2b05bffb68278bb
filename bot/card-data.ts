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
});
