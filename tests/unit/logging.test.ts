import { describe, expect, it } from 'vitest';
import { createLogger, readableLines, redactUrl, requestIdOf, scrubText } from '../../src/server/logging';

const capture = () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
};

describe('log redaction', () => {
  it('censors credential-named fields at any depth of a logged object', () => {
    const { logger, parsed, lines } = capture();
    logger.info(
      {
        headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', 'set-cookie': ['sid=2'], accept: 'application/json' },
        body: { password: 'pw-1', clientSecret: 'cs-1', token: 'tk-1', name: 'Ben' },
        config: { sharePoint: { auth: { secret: 'sp-1' } }, BOT_PASSWORD: 'bp-1' },
        password: 'top-1',
      },
      'something happened',
    );
    const [line] = parsed();
    expect(line).toMatchObject({
      level: 'info',
      msg: 'something happened',
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', accept: 'application/json' },
      body: { password: '[redacted]', clientSecret: '[redacted]', token: '[redacted]', name: 'Ben' },
      config: { sharePoint: { auth: { secret: '[redacted]' } }, BOT_PASSWORD: '[redacted]' },
      password: '[redacted]',
    });
    for (const v of ['abc.def.ghi', 'sid=1', 'sid=2', 'pw-1', 'cs-1', 'tk-1', 'sp-1', 'bp-1', 'top-1']) expect(lines[0]).not.toContain(v);
  });

  it('blanks bearer tokens, JWTs and link signatures in free-text messages', () => {
    const { logger, lines } = capture();
    const jwt = ['eyJhbGciOiJSUzI1NiJ9', 'eyJvaWQiOiJ4In0', 'c2lnbmF0dXJl'].join('.');
    logger.warn(`call failed: Authorization Bearer dev.cC1iZW4.1766620800000.sig123 for https://x.example/exports/a.csv?e=1&s=SIGNATURE1 and ${jwt}`);
    expect(lines[0]).not.toMatch(/sig123|SIGNATURE1|eyJvaWQ/);
    expect(JSON.parse(lines[0]!).msg).toBe('call failed: Authorization Bearer [redacted] for https://x.example/exports/a.csv?e=1&s=[redacted] and [redacted jwt]');
    expect(scrubText('nothing secret here: /policy/open?v=1&u=ben')).toBe('nothing secret here: /policy/open?v=1&u=ben');
  });

  it('keeps a URL recognisable with only its signed or secret values blanked', () => {
    expect(redactUrl('/exports/c.csv?e=1766620800&s=abc_DEF-123')).toBe('/exports/c.csv?e=1766620800&s=[redacted]');
    expect(redactUrl('/policy/open?v=policy-2026&u=p-ben&s=xyz')).toBe('/policy/open?v=policy-2026&u=p-ben&s=[redacted]');
    expect(redactUrl('/api/x?token=t&sig=s&code=c&Password=p&page=2')).toBe('/api/x?token=[redacted]&sig=[redacted]&code=[redacted]&Password=[redacted]&page=2');
    expect(redactUrl('/api/x?%73=encoded-name')).toBe('/api/x?%73=[redacted]');
    expect(redactUrl('/api/me')).toBe('/api/me');
  });
});

describe('request ids', () => {
  it('keeps a short safe token and replaces anything else with a fresh UUID', () => {
    expect(requestIdOf('trace-abc.123_X')).toBe('trace-abc.123_X');
    for (const unsafe of [undefined, '', 'a'.repeat(65), 'has space', '<script>', 'line\nbreak', '-leading-dash', ['a', 'b']]) {
      expect(requestIdOf(unsafe)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});

describe('the embedded mode console', () => {
  it('shows each event as time, level and message, still redacted', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info', destination: readableLines((t) => void out.push(t)) });
    logger.info('listening on http://localhost:3978');
    logger.warn('export link https://x.example/exports/a.csv?s=secret-signature refused for Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl');
    expect(out[0]).toMatch(/^\d{2}:\d{2}:\d{2} listening on http:\/\/localhost:3978\n$/);
    expect(out[1]).toMatch(/^\d{2}:\d{2}:\d{2} warn: export link /);
    expect(out.join('')).not.toMatch(/secret-signature|eyJhbGciOi\.eyJzdWIi/);
    expect(out.join('')).not.toMatch(/"level"/);
  });
});
