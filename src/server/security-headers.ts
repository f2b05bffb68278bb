import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The hosts that may frame the tab. Teams, Outlook and the Microsoft 365 app show a tab in an iframe,
 * so its Content-Security-Policy must name them in frame-ancestors: learn.microsoft.com, "Prerequisites
 * and considerations for tabs in Teams" (microsoftteams/platform/tabs/how-to/tab-requirements), whose
 * table lists *.cloud.microsoft (every host, after the move to that domain), teams.microsoft.com and
 * *.teams.microsoft.com, *.microsoft365.com and *.office.com (local.teams.office.com among them), and
 * Outlook's outlook.office.com, outlook.office365.com, outlook-sdf.office.com, outlook-sdf.office365.com.
 * An older version of that page adds outlook.live.com; Teams for government clouds lives under
 * *.teams.microsoft.us (GCC High, DoD), and Teams free under teams.live.com.
 */
export const TEAMS_FRAME_ANCESTORS = [
  '*.cloud.microsoft',
  'teams.microsoft.com',
  '*.teams.microsoft.com',
  '*.teams.microsoft.us',
  'teams.live.com',
  '*.microsoft365.com',
  '*.office.com',
  'outlook.office.com',
  'outlook.office365.com',
  'outlook-sdf.office.com',
  'outlook-sdf.office365.com',
  'outlook.live.com',
] as const;

/** teams-js fetches its list of valid host origins from the Office CDN (@microsoft/teams-js, validDomains.json). */
const TEAMS_JS_CDN = 'https://res.cdn.office.net';

/** The tab's policy: its own scripts only; inline styles (Fluent UI's Griffel writes <style> rules at run time). */
export const TAB_CSP = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", TEAMS_JS_CDN],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'", ...TEAMS_FRAME_ANCESTORS],
};

/**
 * Security headers on every response (helmet). The tab (/tab/…) may be framed by Teams' hosts and by
 * nothing else, so it sends no X-Frame-Options (which cannot list hosts, and DENY would blank the tab in
 * Teams) and lets frame-ancestors decide. Everything else (the JSON API, the bot's endpoint, links, exports)
 * is never a page: no content may load from it and nothing may frame it.
 */
export function securityHeaders(): RequestHandler {
  const tab = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: TAB_CSP },
    frameguard: false,
    // A host that isolates itself (COEP require-corp) may still embed the tab's page.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  const rest = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    frameguard: { action: 'deny' },
  });
  return (req, res, next) => (req.path === '/tab' || req.path.startsWith('/tab/') ? tab(req, res, next) : rest(req, res, next));
}
