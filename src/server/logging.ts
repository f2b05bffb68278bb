import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/**
 * Structured logs: one JSON object a line (pino), each line written during a request carrying that
 * request's id (`reqId`), echoed to the caller in `x-request-id`. Nothing secret reaches a line:
 * request lines name the method, the path and a query whose signed values are blanked, never the
 * headers or the body; any object logged has its secret-named fields censored; and free-text messages
 * lose bearer tokens, JWTs and link signatures before they are written.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Field names whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = ['authorization', 'cookie', '"set-cookie"', 'token', 'accessToken', 'idToken', 'refreshToken', 'password', 'secret', 'clientSecret', 'BOT_PASSWORD', 'LINK_SIGNING_SECRET', 'GRAPH_CLIENT_SECRET', 'GRAPH_CERTIFICATE_PASSWORD'];

/** The same names at the top level and up to three levels down (pino's redaction takes explicit paths). */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const key = k.startsWith('"') ? `[${k}]` : k;
  const dotted = k.startsWith('"') ? key : `.${key}`;
  return [key, `*${dotted}`, `*.*${dotted}`, `*.*.*${dotted}`];
});

/** Query parameters that carry a signature or a credential: `s` signs Countersign's policy and export links. */
const SIGNED_PARAMS = /^(s|sig|signature|token|access_token|id_token|code|key|password|secret)$/i;

/** A path with its query, the signed values blanked: `/exports/a.csv?e=1&s=[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is kept as sent; it is not one of ours.
      }
      return eq >= 0 && SIGNED_PARAMS.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** Free text with credentials blanked: bearer tokens, JWT-shaped strings and signed link parameters. */
export function scrubText(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 [redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted jwt]')
    .replace(/([?&](?:s|sig|signature|token|access_token|code|key|password|secret)=)[^&\s"']+/gi, '$1[redacted]');
}

/** The request whose handling is running now, for the `reqId` of every line written meanwhile. */
const currentRequest = new AsyncLocalStorage<string>();

export function createLogger(o: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: o.level ?? 'info',
      base: { app: 'countersign' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: () => {
        const reqId = currentRequest.getStore();
        return reqId ? { reqId } : {};
      },
      hooks: {
        // Messages are free text built by our code; they may quote an error that quotes a URL or a header.
        logMethod(args, method) {
          const texts = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
          method.apply(this, texts);
        },
      },
    },
    o.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * For a developer's console (`npm start`, the embedded mode): each JSON line as "time level message", with the
 * request id when there is one. The line is pino's, so it is already redacted; App Service keeps the JSON.
 */
export function readableLines(write: (text: string) => void = (t) => process.stdout.write(t)): DestinationStream {
  return {
    write(line: string) {
      let o: { time?: string; level?: string; msg?: string; reqId?: string; err?: { message?: string } };
      try {
        o = JSON.parse(line);
      } catch {
        write(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      const time = (o.time ?? '').slice(11, 19);
      const level = o.level && o.level !== 'info' ? `${o.level}: ` : '';
      const msg = o.msg ?? o.err?.message ?? '';
      write(`${time} ${level}${msg}${o.reqId ? ` (request ${o.reqId})` : ''}\n`);
    },
  };
}

/** An incoming `x-request-id` is kept only if it is a short token (a proxy's or the tab's), never free text. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function requestIdOf(incoming: unknown): string {
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The request id (kept or made, echoed in `x-request-id`), the scope that stamps it on every line, and
 * one line per finished request (method, path with redacted query, status, time). In the embedded mode
 * the lines of answered requests are at debug level, so a developer's console shows what went wrong only.
 */
export function requestLogging(logger: Logger, o: { quiet: boolean }): RequestHandler[] {
  const assignId: RequestHandler = (req, res, next) => {
    const id = requestIdOf(req.headers['x-request-id']);
    (req as { id?: string }).id = id;
    res.setHeader('x-request-id', id);
    currentRequest.run(id, next);
  };
  const http = pinoHttp({
    logger,
    // The id is already on the request (above) and on the line (the mixin).
    genReqId: (req) => (req as { id?: string }).id ?? randomUUID(),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : o.quiet ? 'debug' : 'info'),
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string }) => ({ method: req.method, url: redactUrl(req.originalUrl ?? req.url ?? '') }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  });
  return [assignId, http as unknown as RequestHandler];
}
