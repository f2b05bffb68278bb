import type { ApiErrorBody } from '../../src/contract/api';

/** A refusal or failure from the API, with its status and the server's own words. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiFailure';
  }
}

export type TokenSource = () => Promise<string>;

let tokenSource: TokenSource | undefined;
let onSignedOut: (() => void) | undefined;

/** Set once the person is signed in (Teams SSO or the demo's dev sign-in). */
export function useTokens(source: TokenSource | undefined, signedOut?: () => void) {
  tokenSource = source;
  onSignedOut = signedOut;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (tokenSource) headers.authorization = `Bearer ${await tokenSource()}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, { error: 'NETWORK', message: 'Countersign could not be reached. Check your connection and try again.' });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const b = (json ?? {}) as Partial<ApiErrorBody>;
    if (res.status === 401) onSignedOut?.();
    throw new ApiFailure(res.status, { error: b.error ?? `HTTP.${res.status}`, message: b.message ?? 'Something went wrong. Try again in a moment.', field: b.field, fields: b.fields });
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  delete: <T>(path: string) => call<T>('DELETE', path),
};

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The message for one form field from a refusal: its own entry in `fields`, or the message when the
 * refusal's `field` is this field or a part of it (`statements.2`), without the leading "field: ".
 */
export function fieldMessage(error: ApiFailure | undefined, field: string): string | undefined {
  if (!error) return undefined;
  if (error.body.fields?.[field]) return error.body.fields[field];
  const named = error.body.field;
  if (named && (named === field || named.startsWith(`${field}.`))) return error.message.replace(/^[\w.]+: /, '');
  return undefined;
}

/** A refusal that none of a form's fields explains: shown above the form. */
export const unexplained = (error: ApiFailure | undefined, fields: readonly string[]) => (error && !fields.some((f) => fieldMessage(error, f)) ? error : undefined);
