import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { ApiErrorBody } from '../../contract/api';
import type { Identity } from './identity';

const WINDOW_MS = 60_000;

/**
 * The caller's address without a port. Azure App Service's front end writes X-Forwarded-For as
 * `address:port` (IPv4) or `[address]:port` (IPv6); counted with its port, every new connection would
 * be a fresh caller.
 */
export function clientAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip);
  if (v4) return v4[1]!;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(ip);
  return v6 ? v6[1]! : ip;
}

/**
 * How many calls a minute one person may make to the tab's API. Keyed by the person the sign-in check
 * established (res.locals.identity, set by the router before this runs), never by anything the caller
 * chooses; calls that carry no accepted sign-in are counted per IP address instead (with IPv6 addresses
 * grouped by /56 as express-rate-limit advises, so one host cannot rotate through its own subnet).
 * A refusal is 429 with Retry-After and a sentence a person can act on.
 */
export function tabApiRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    // Retry-After and the IETF draft's RateLimit / RateLimit-Policy headers; no X-RateLimit-*.
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req: Request, res: Response) => {
      const identity = res.locals.identity as Identity | undefined;
      return identity ? `person:${identity.userId}` : `ip:${ipKeyGenerator(clientAddress(req.ip))}`;
    },
    // The address is checked above (clientAddress), after the front end's port is taken off.
    validate: { ip: false },
    handler: (_req: Request, res: Response) => {
      const seconds = Number(res.getHeader('Retry-After')) || Math.ceil(WINDOW_MS / 1000);
      const body: ApiErrorBody = {
        error: 'REQUEST.RATE_LIMITED',
        message: `Too many requests: Countersign takes up to ${perMinute} a minute from one person. Wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'} and try again.`,
      };
      res.status(429).json(body);
    },
  });
}
