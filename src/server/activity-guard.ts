import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';

/**
 * The first check on POST /api/messages: the body must be an activity of the shape that
 * Countersign and botbuilder read, or it is answered 400 here, before any store is touched
 * and before botbuilder sees it (botbuilder answers some malformed activities with 500 or
 * an empty 400, and lets others fail deep inside a turn).
 *
 * Only what is read is checked, and every other field passes through untouched, so that every
 * activity Teams and the Agents Playground send (message, invoke, conversationUpdate,
 * installationUpdate, messageReaction, typing, event, …) is accepted as it is. Fields the
 * Bot Framework schema marks as required on an incoming activity (type, channelId, serviceUrl,
 * from, recipient, conversation) are required here too
 * (learn.microsoft.com, "Bot Framework Activity schema").
 */

/** Ids are short in practice (Teams conversation ids are about 100 characters); the cap keeps junk out of the store. */
const id = z.string().min(1, 'must not be empty').max(1000, 'must be at most 1,000 characters');
/**
 * The conversation id and the activity id go back out in the address of every reply
 * (/v3/conversations/{conversation.id}/activities/{id}), and the conversation id also in the
 * x-ms-conversation-id header botframework-connector sets. Node refuses a header holding anything but
 * printable ASCII, and encodeURIComponent throws on a lone surrogate: either way the turn threw and could
 * not even send its apology. Teams' ids are printable ASCII ("a:1…", "19:…@thread.v2;messageid=…", "1:1…").
 */
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;
const conversationId = id.regex(PRINTABLE_ASCII, 'must be printable ASCII, as Teams conversation ids are');
const activityId = z.string().max(1000, 'must be at most 1,000 characters').regex(PRINTABLE_ASCII, 'must be printable ASCII, as Teams activity ids are');
const optionalString = z.string().nullish();
const record = z.record(z.string(), z.unknown());

const account = z.looseObject({ id, aadObjectId: z.string().max(1000).nullish(), name: optionalString });

/** botbuilder lower-cases every entity type, and reads mention.mentioned.id and mention.text. */
const entity = z.looseObject({ type: z.string() }).superRefine((e, ctx) => {
  if (e.type.toLowerCase() !== 'mention') return;
  const mentioned = e.mentioned as { id?: unknown } | undefined;
  if (typeof mentioned !== 'object' || mentioned === null || typeof mentioned.id !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['mentioned', 'id'], message: 'must be a string in a mention' });
  }
  if (typeof e.text !== 'string') ctx.addIssue({ code: 'custom', path: ['text'], message: 'must be a string in a mention' });
});

const serviceUrl = z
  .string()
  .max(2048, 'must be at most 2,048 characters')
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http or https URL');

/**
 * Universal Actions: the bot reads value.action.type, .verb and .data (learn.microsoft.com, "Universal Actions
 * for Adaptive Cards"). A missing value or action is left to the bot, which answers with an invoke error
 * response a Teams client can show; here only the types of what is present are checked.
 */
const cardAction = z
  .looseObject({
    action: z.looseObject({ type: optionalString, verb: optionalString, data: record.nullish() }).nullish(),
  })
  .nullish();

const activity = z
  .looseObject({
    type: z.string().min(1, 'must not be empty').max(100),
    // A reply goes to /v3/conversations/{conversation.id}/activities/{id}: both must fit in a URL.
    id: activityId.nullish(),
    name: optionalString,
    channelId: z.string().min(1, 'must not be empty').max(100),
    serviceUrl,
    from: account,
    recipient: account,
    conversation: z.looseObject({
      id: conversationId,
      conversationType: optionalString,
      isGroup: z.boolean().nullish(),
      tenantId: optionalString,
    }),
    text: optionalString,
    locale: optionalString,
    replyToId: z.string().max(1000, 'must be at most 1,000 characters').nullish(),
    timestamp: optionalString,
    localTimestamp: optionalString,
    value: record.nullish(),
    // Not null: botbuilder tests entities against undefined only, then reads its length (TurnContext.getMentions).
    entities: z.array(entity).optional(),
    membersAdded: z.array(account).nullish(),
    membersRemoved: z.array(account).nullish(),
    channelData: z
      .looseObject({
        tenant: z.looseObject({ id: z.string().max(1000) }).nullish(),
        eventType: optionalString,
      })
      .nullish(),
  })
  .superRefine((a, ctx) => {
    if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
      const parsed = cardAction.safeParse(a.value);
      for (const issue of parsed.error?.issues ?? []) ctx.addIssue({ ...issue, path: ['value', ...issue.path] } as never);
    }
    const mentions = (a.entities ?? []).some((e) => e.type.toLowerCase() === 'mention');
    if (mentions && typeof a.text !== 'string') ctx.addIssue({ code: 'custom', path: ['text'], message: 'must be a string when the activity mentions someone' });
  });

export type GuardedActivity = z.infer<typeof activity>;

/** "conversation.id must be a string" from a zod issue, in the words a developer reading the 400 needs. */
function describe(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join('.') || 'activity';
  const message = issue.code === 'invalid_type' ? `must be ${article(issue.expected)}` : issue.message;
  return { field, message: `${field} ${message}` };
}

function article(expected: string) {
  if (expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** 400 for anything that is not an activity Countersign can read. */
export const activityShape: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  const parsed = activity.safeParse(req.body);
  if (parsed.success) return next();
  const problems = parsed.error.issues.slice(0, 10).map(describe);
  res.status(400).json({
    error: 'ACTIVITY.INVALID',
    message: `This is not a Bot Framework activity Countersign can read: ${problems.map((p) => p.message).join('; ')}.`,
    fields: problems.map((p) => p.field),
  });
};

/**
 * Outside embedded mode only activities from the school's own tenant are served. Teams puts the
 * tenant in channelData.tenant.id and, in personal chats, conversation.tenantId
 * (learn.microsoft.com, "Conversation basics": channelData.tenant.id). Every id present must match,
 * and at least one must be present: an activity with no tenant is not from Teams.
 *
 * Embedded mode checks no tenant: connector auth is off there, so a tenant id in the body is
 * only a claim that anyone on this machine can make, and refusing it would protect nothing.
 */
export function tenantGuard(tenantId: string): RequestHandler {
  const expected = tenantId.trim().toLowerCase();
  return (req, res, next) => {
    const a = req.body as GuardedActivity;
    const claimed = [a.channelData?.tenant?.id, a.conversation.tenantId].filter((t): t is string => typeof t === 'string' && t !== '');
    if (claimed.length > 0 && claimed.every((t) => t.trim().toLowerCase() === expected)) return next();
    res.status(403).json({
      error: 'TENANT.NOT_ALLOWED',
      message: 'This Countersign serves one Microsoft 365 tenant, and this activity comes from another one (or names none).',
    });
  };
}
