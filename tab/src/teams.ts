import { app, authentication } from '@microsoft/teams-js';

export type ThemeName = 'light' | 'dark' | 'contrast';

export interface TeamsHost {
  /** The Teams theme now, and a way to hear when the person changes it. */
  theme: ThemeName;
  onThemeChange(listener: (t: ThemeName) => void): void;
  /** An SSO token for this app's API (teams-js `authentication.getAuthToken`). */
  token(): Promise<string>;
}

const themeOf = (t: string | undefined): ThemeName => (t === 'dark' ? 'dark' : t === 'contrast' ? 'contrast' : 'light');

/**
 * Inside Teams, the host; outside, undefined. Outside Teams `app.initialize()`
 * fails fast with "No Parent window found" (teams-js 2.x); a timeout covers a
 * parent frame that never answers.
 */
export async function detectTeams(): Promise<TeamsHost | undefined> {
  try {
    await Promise.race([app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
    const ctx = await app.getContext();
    return {
      theme: themeOf(ctx.app.theme),
      onThemeChange: (listener) => app.registerOnThemeChangeHandler((t) => listener(themeOf(t))),
      token: () => authentication.getAuthToken(),
    };
  } catch {
    return undefined;
  }
}

/** Outside Teams: the browser's preference, high contrast when the system forces colours. */
export function browserTheme(): ThemeName {
  if (window.matchMedia?.('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
