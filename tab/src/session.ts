import type { DevPerson, DevSession, MeResponse } from '../../src/contract/api';
import { api, useTokens } from './api-client';
import type { TeamsHost } from './teams';

const DEV_TOKEN = 'countersign.devToken';

/** How this page signs in: through Teams, with the embedded demo's dev sign-in, or not at all (opened outside Teams elsewhere). */
export type SignIn = { kind: 'teams'; host: TeamsHost } | { kind: 'dev' } | { kind: 'none'; why: string };

export async function howToSignIn(host: TeamsHost | undefined): Promise<SignIn> {
  if (host) {
    useTokens(() => host.token());
    return { kind: 'teams', host };
  }
  try {
    const health = (await (await fetch('/healthz')).json()) as { mode?: string };
    if (health.mode === 'embedded') return { kind: 'dev' };
    return { kind: 'none', why: 'Open Countersign from Microsoft Teams to sign in.' };
  } catch {
    return { kind: 'none', why: 'Countersign’s server did not answer. Check that it is running, then reload this page.' };
  }
}

/** The demo's sign-in: a token kept for this browser tab only. */
export const devSignIn = {
  saved(): string | undefined {
    return sessionStorage.getItem(DEV_TOKEN) ?? undefined;
  },
  use(token: string | undefined, signedOut?: () => void) {
    if (token) sessionStorage.setItem(DEV_TOKEN, token);
    else sessionStorage.removeItem(DEV_TOKEN);
    useTokens(token ? async () => token : undefined, signedOut);
  },
  people: () => api.get<DevPerson[]>('/api/dev/people'),
  async as(personId: string): Promise<string> {
    const s = await api.post<DevSession>('/api/dev/session', { personId });
    return s.token;
  },
};

export const loadMe = () => api.get<MeResponse>('/api/me');
