import { z } from 'zod';
import { SharePointConfigError } from './errors';

/**
 * The SharePoint store's settings, from the environment, parsed once. Used by
 * the server's wiring when STORE=sharepoint and by `npm run provision:sharepoint`.
 * Authentication is app-only (client credentials): a secret or a certificate.
 */
export interface SharePointConfig {
  /** Exactly one of siteId / siteUrl; a URL is resolved to an id once, at connect. */
  siteId?: string;
  siteUrl?: string;
  /** Graph's origin, e.g. https://graph.microsoft.com, or a local test server. */
  graphBaseUrl: string;
  /** Where Entra issues tokens (GRAPH_AUTHORITY_HOST), e.g. https://login.microsoftonline.com; no trailing slash. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  auth: { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string; password?: string };
}

const url = (hint: string) => z.string().url({ message: `must be a URL, e.g. ${hint}` });

const schema = z
  .object({
    SHAREPOINT_SITE_ID: z
      .string()
      .regex(/^[^,\s]+,[0-9a-f-]{36},[0-9a-f-]{36}$/i, { message: 'must be a Graph site id: hostname,site-collection-guid,web-guid' })
      .optional(),
    SHAREPOINT_SITE_URL: url('https://contoso.sharepoint.com/sites/larkfield').optional(),
    GRAPH_BASE_URL: url('https://graph.microsoft.com').default('https://graph.microsoft.com'),
    /**
     * Where Entra issues tokens: the global cloud by default; a national cloud's host (login.microsoftonline.us,
     * login.partner.microsoftonline.cn) beside its GRAPH_BASE_URL. https only: msal-node refuses anything else.
     */
    GRAPH_AUTHORITY_HOST: z
      .string()
      .url({ message: 'must be a URL, e.g. https://login.microsoftonline.com' })
      .refine((u) => u.startsWith('https://'), { message: 'must be an https URL (Entra issues tokens over https only)' })
      .default('https://login.microsoftonline.com'),
    GRAPH_TENANT_ID: z.string({ message: 'is required: the Entra tenant id (GUID or domain)' }).min(1),
    GRAPH_CLIENT_ID: z
      .string({ message: "is required: the app registration's client id" })
      .regex(/^[0-9a-f-]{36}$/i, { message: "must be the app registration's client id (a GUID)" }),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    GRAPH_CERTIFICATE_PATH: z.string().min(1).optional(),
    GRAPH_CERTIFICATE_PASSWORD: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.SHAREPOINT_SITE_ID && !c.SHAREPOINT_SITE_URL) {
      ctx.addIssue({ code: 'custom', path: ['SHAREPOINT_SITE_ID'], message: 'or SHAREPOINT_SITE_URL is required: the site that holds the lists' });
    }
    if (c.SHAREPOINT_SITE_ID && c.SHAREPOINT_SITE_URL) {
      ctx.addIssue({ code: 'custom', path: ['SHAREPOINT_SITE_URL'], message: 'and SHAREPOINT_SITE_ID are both set: keep one' });
    }
    if (!c.GRAPH_CLIENT_SECRET && !c.GRAPH_CERTIFICATE_PATH) {
      ctx.addIssue({ code: 'custom', path: ['GRAPH_CLIENT_SECRET'], message: 'or GRAPH_CERTIFICATE_PATH is required: the app registration\'s credential' });
    }
    if (c.GRAPH_CLIENT_SECRET && c.GRAPH_CERTIFICATE_PATH) {
      ctx.addIssue({ code: 'custom', path: ['GRAPH_CERTIFICATE_PATH'], message: 'and GRAPH_CLIENT_SECRET are both set: keep one' });
    }
  });

/** Variable names, for documentation and for the redacted summary. */
export const sharePointEnvNames = [
  'SHAREPOINT_SITE_ID',
  'SHAREPOINT_SITE_URL',
  'GRAPH_BASE_URL',
  'GRAPH_AUTHORITY_HOST',
  'GRAPH_TENANT_ID',
  'GRAPH_CLIENT_ID',
  'GRAPH_CLIENT_SECRET',
  'GRAPH_CERTIFICATE_PATH',
  'GRAPH_CERTIFICATE_PASSWORD',
] as const;

/** Parses the environment. Throws SharePointConfigError whose message is the one line to print. */
export function loadSharePointConfig(env: NodeJS.ProcessEnv = process.env): SharePointConfig {
  const present = Object.fromEntries(sharePointEnvNames.map((k) => [k, env[k]]).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SharePointConfigError(`Countersign cannot use SharePoint: ${String(issue.path[0] ?? 'environment')} ${issue.message}.`);
  }
  const c = parsed.data;
  return {
    siteId: c.SHAREPOINT_SITE_ID,
    siteUrl: c.SHAREPOINT_SITE_URL,
    graphBaseUrl: c.GRAPH_BASE_URL.replace(/\/+$/, ''),
    authorityHost: c.GRAPH_AUTHORITY_HOST.replace(/\/+$/, ''),
    tenantId: c.GRAPH_TENANT_ID,
    clientId: c.GRAPH_CLIENT_ID,
    auth: c.GRAPH_CLIENT_SECRET
      ? { kind: 'secret', secret: c.GRAPH_CLIENT_SECRET }
      : { kind: 'certificate', path: c.GRAPH_CERTIFICATE_PATH!, password: c.GRAPH_CERTIFICATE_PASSWORD },
  };
}

/** Safe to log: secrets shown only as set. */
export function redactedSharePointSummary(c: SharePointConfig): string {
  return [
    `site=${c.siteId ?? c.siteUrl}`,
    `graph=${c.graphBaseUrl}`,
    `authority=${c.authorityHost}`,
    `tenant=${c.tenantId}`,
    `client=${c.clientId}`,
    `credential=${c.auth.kind === 'secret' ? 'secret (set)' : `certificate ${c.auth.path}`}`,
  ].join(' ');
}
