import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler } from 'express';

/**
 * The last handler: every error becomes JSON with a stable code. A 4xx set by express or
 * its parsers keeps its status (body-parser and send put it on err.status or err.statusCode):
 * the client sent something we refuse, so it is never reported as our failure.
 */
type HttpError = Error & { status?: number; statusCode?: number; type?: string };

/** body-parser's error types (body-parser 2, README "Errors"), in our words. */
const known: Record<string, { code: string; message: (limit: string) => string }> = {
  'entity.too.large': { code: 'REQUEST.TOO_LARGE', message: (limit) => `The request body is larger than ${limit}. Shorten the text and try again.` },
  'entity.parse.failed': { code: 'REQUEST.MALFORMED', message: () => 'The request body is not valid JSON.' },
  'charset.unsupported': { code: 'REQUEST.UNSUPPORTED_CHARSET', message: () => 'The request body must be UTF-8 JSON.' },
  'encoding.unsupported': { code: 'REQUEST.UNSUPPORTED_ENCODING', message: () => 'The request body uses a Content-Encoding this server does not accept (use identity, gzip, deflate or br).' },
  'request.aborted': { code: 'REQUEST.ABORTED', message: () => 'The request body ended early.' },
  'request.size.invalid': { code: 'REQUEST.MALFORMED', message: () => 'The request body does not match its Content-Length.' },
};

export function errorHandler(o: { bodyLimit: string; log: (msg: string) => void }): ErrorRequestHandler {
  return (err: HttpError, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? err.statusCode;
    const isClientError = typeof status === 'number' && status >= 400 && status < 500;
    if (isClientError) {
      const k = err.type ? known[err.type] : undefined;
      if (k) {
        res.status(status).json({ error: k.code, message: k.message(o.bodyLimit) });
      } else if (status === 400 && /decode/i.test(err.message)) {
        // The router's own message for a path such as /exports/%E0%A4%A (express 5, router's decodeParam).
        res.status(400).json({ error: 'REQUEST.MALFORMED_PATH', message: 'The address contains a malformed percent-encoding.' });
      } else if (status === 400 && /content.encoding|header check|unexpected end of file/i.test(err.message)) {
        res.status(400).json({ error: 'REQUEST.MALFORMED', message: 'The request body could not be decoded with its Content-Encoding.' });
      } else {
        res.status(status).json({ error: 'REQUEST.REFUSED', message: 'This request cannot be served.' });
      }
      return;
    }
    o.log(`unhandled: ${req.method} ${req.path}: ${err.message}`);
    res.status(500).json({ error: 'SERVER.ERROR', message: 'Something went wrong on our side.' });
  };
}

/**
 * Requests Node's HTTP parser refuses before express sees them: headers (a very long address among them)
 * past its limit (16 KB, `--max-http-header-size`), or bytes that are not HTTP. Node would answer a bare
 * 431 or 400 with no body; this gives the same JSON refusal, with a code and a reason, as every other
 * answer. There is no response object here, so the answer is written to the socket (Node docs, http
 * "Event: 'clientError'").
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify(
      tooLarge
        ? { error: 'REQUEST.HEADERS_TOO_LARGE', message: 'The address or the headers of this request are too long. Shorten the search or the filter and try again.' }
        : { error: 'REQUEST.MALFORMED', message: 'This is not an HTTP request the server can read.' },
    );
    socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
}
