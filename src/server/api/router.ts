import express, { type Request, type Response, type NextFunction } from 'express';
import type { z } from 'zod';
import type { Actor } from '../../domain/people';
import type { StaffMember } from '../../domain/people';
import type { Viewer } from '../../domain/request-permissions';
import { pageRefusal, type PageContext, type TabPage } from '../../domain/tab-pages';
import type { ApiErrorBody } from '../../contract/api';
import { ApiError, fromDomain } from './api-error';
import type { Authenticator, Identity } from './identity';
import { tabApiRateLimit } from './rate-limit';

/** What every handler knows: who is asking, as the server established them (roles from the store). */
export interface ApiContext {
  identity: Identity;
  me: StaffMember;
  actor: Actor;
  viewer: Viewer;
}

/**
 * One row of the route table. `page` is the page whose rule guards the route
 * (`any`: every signed-in member of staff). `input` validates the query (GET,
 * DELETE) or the body (others), with the path parameters laid over it.
 */
export interface ApiRoute<I = any> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  page: TabPage | 'any';
  input?: z.ZodType<I>;
  handle(ctx: ApiContext, input: I): Promise<unknown>;
}

/** A handler's answer other than 200 with a JSON body. */
export class ApiReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export const route = <I>(r: ApiRoute<I>): ApiRoute<I> => r;

export interface ApiRouterDeps {
  auth: Authenticator;
  findStaff(id: string): Promise<StaffMember | undefined>;
  pages: PageContext;
  bodyLimit: string;
  log(msg: string): void;
  /** Calls a minute one person (or, signed out, one IP address) may make; see rate-limit.ts. */
  ratePerMinute: number;
  /** Routes that need no sign-in (the embedded mode's dev sign-in); they exist only where given. */
  open?: ApiRoute[];
}

const send = (res: Response, status: number, body: ApiErrorBody) => res.status(status).json(body);

/** The first problem of a schema check, as "field: message" naming the dotted path. */
function invalid(error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  return new ApiError(400, 'API.INVALID_INPUT', `${field}: ${issue.message}`, { field });
}

function inputOf(req: Request): Record<string, unknown> {
  const source = req.method === 'GET' || req.method === 'DELETE' ? req.query : req.body;
  const base = source && typeof source === 'object' && !Array.isArray(source) ? source : {};
  return { ...(base as Record<string, unknown>), ...req.params };
}

/**
 * The tab's JSON API under /api (not /api/messages, the bot's). Every call is
 * authenticated first, before its body is even parsed, so an unauthenticated
 * call gets 401 whatever it carries; then it is counted against the person's
 * rate limit (the verified user id; per IP address for a call without an
 * accepted sign-in); then the person is looked up on the staff list (roles
 * from the store), then the page rule, then the input schema, then the
 * handler. Handlers are thin: schema → service → JSON.
 */
export function apiRouter(routes: ApiRoute[], d: ApiRouterDeps): express.Router {
  const router = express.Router();
  const json = express.json({ limit: d.bodyLimit });
  const limit = tabApiRateLimit(d.ratePerMinute);
  const run = (r: ApiRoute, needsSignIn: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      let ctx: ApiContext | undefined;
      if (needsSignIn) {
        ctx = res.locals.api as ApiContext;
        if (r.page !== 'any') {
          const refusal = pageRefusal(ctx.viewer, r.page, d.pages);
          if (refusal) throw fromDomain(refusal);
        }
      }
      let input: unknown = undefined;
      if (r.input) {
        const parsed = r.input.safeParse(inputOf(req));
        if (!parsed.success) throw invalid(parsed.error);
        input = parsed.data;
      }
      const out = await r.handle(ctx as ApiContext, input);
      if (out instanceof ApiReply) res.status(out.status).json(out.body);
      else res.json(out);
    } catch (e) {
      if (e instanceof ApiError) return void send(res, e.status, e.body());
      next(e);
    }
  };

  for (const r of d.open ?? []) router[r.method](r.path, limit, json, run(r, false));

  // Everything else needs a signed-in member of staff. Who it is is settled first, so that the rate limit
  // counts calls against the verified person rather than anything the caller says.
  router.use(async (req, res, next) => {
    if (req.path === '/messages' || req.path.startsWith('/messages/')) return next('router');
    try {
      res.locals.identity = await d.auth.authenticate(req.headers.authorization);
      next();
    } catch (e) {
      // The authenticator's own refusal (SSO keys unreachable: 503), with its code.
      if (e instanceof ApiError) return void send(res, e.status, e.body());
      next(e);
    }
  });
  router.use(limit);
  router.use(async (_req, res, next) => {
    try {
      const identity = res.locals.identity as Identity | undefined;
      if (!identity) return void send(res, 401, { error: 'AUTH.REQUIRED', message: 'Sign in to Countersign to use this.' });
      const me = await d.findStaff(identity.userId);
      if (!me) {
        return void send(res, 403, { error: 'AUTH.NOT_STAFF', message: 'You are signed in, but not on the staff list Countersign knows. Ask your school’s policy admin to add you.' });
      }
      const ctx: ApiContext = { identity, me, actor: { id: me.id, name: me.name }, viewer: { id: me.id, roles: me.roles } };
      res.locals.api = ctx;
      next();
    } catch (e) {
      if (e instanceof ApiError) return void send(res, e.status, e.body());
      next(e);
    }
  });
  router.use(json);
  for (const r of routes) router[r.method](r.path, run(r, true));
  router.use((req, res) => void send(res, 404, { error: 'API.NOT_FOUND', message: `There is no ${req.method} ${req.baseUrl}${req.path} in Countersign's API.` }));
  return router;
}
