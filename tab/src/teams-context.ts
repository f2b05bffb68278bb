import { app } from '@microsoft/teams-js';

/**
 * Outside Teams, app.initialize() fails fast with "No Parent window found"
 * (teams-js 2.x). Then the tab falls back to the embedded mode's dev sign-in,
 * but only when the server says it is in embedded mode.
 */
export async function detectTeams(): Promise<{ inTeams: boolean; userName?: string }> {
  try {
    await Promise.race([app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
    const ctx = await app.getContext();
    return { inTeams: true, userName: ctx.user?.displayName };
  } catch {
    return { inTeams: false };
  }
}
