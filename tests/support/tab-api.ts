import type { StaffMember } from '../../src/domain/people';
import type { Harness } from './harness';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/** Calls the tab's JSON API of a running harness, over HTTP, with an Authorization header or none. */
export function tabApi(h: Harness, authorization?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the test sees the text.
    }
    return { status: res.status, body: parsed as T };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    put: <T = any>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T = any>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
  };
}

/** The embedded demo's sign-in as `person`: the API as they would call it from the tab. */
export async function apiAs(h: Harness, person: Pick<StaffMember, 'id'>) {
  const res = await tabApi(h).post<{ token: string }>('/api/dev/session', { personId: person.id });
  if (res.status !== 200) throw new Error(`dev sign-in as ${person.id} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return tabApi(h, `Bearer ${res.body.token}`);
}
