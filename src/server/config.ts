import { z } from 'zod';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../domain/retention';
import { loadSharePointConfig, type SharePointConfig } from '../adapters/sharepoint/config';
import { SharePointConfigError } from '../adapters/sharepoint/errors';
import { demoSchool } from '../adapters/demo-school';
import type { LogLevel } from './logging';

/**
 * Configuration comes only from the environment, parsed once here. A missing or
 * wrong setting stops the start with one line naming the variable.
 */
const modes = ['embedded', 'm365', 'scaled'] as const;
export type Mode = (typeof modes)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const schema = z
  .object({
    COUNTERSIGN_MODE: z.enum(modes, { message: `must be one of ${modes.join(', ')}` }).default('embedded'),
    /** Where records live: the embedded SQLite file, or SharePoint lists through Microsoft Graph. */
    STORE: z.enum(['sqlite', 'sharepoint'], { message: 'must be sqlite or sharepoint' }).optional(),
    PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3978),
    DATA_DIR: z.string().min(1).default('data'),
    SCHOOL_NAME: z.string().min(1).max(120).optional(),
    /**
     * The id stamped on every record of this deployment's one school. Lower case only: SharePoint compares
     * text case-insensitively, so two ids differing only in case would be one school there and two in SQLite.
     */
    SCHOOL_ID: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, { message: 'must be a short slug: 1 to 40 lower-case letters, digits and hyphens, e.g. larkfield-primary' })
      .optional(),
    SCHOOL_TIMEZONE: z.string().default('Europe/London'),
    BOT_ID: z.string().optional(),
    BOT_PASSWORD: z.string().optional(),
    BOT_TENANT_ID: z.string().optional(),
    BOT_TYPE: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('SingleTenant'),
    /** Where proactive conversations are created before anyone has written (Teams: the regional smba address). */
    CONNECTOR_SERVICE_URL: z.string().url({ message: 'must be a URL' }).optional(),
    /** The address people's browsers reach this server at (links in cards). */
    PUBLIC_URL: z.string().url({ message: 'must be a URL, e.g. https://countersign.example.org' }).optional(),
    /** Signs per-person links to policy documents and exports. */
    LINK_SIGNING_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    /** Multiplies Teams' rate limits; only for benchmarks against a local connector that is scaled the same way. */
    CONNECTOR_RATE_SCALE: z.coerce.number({ message: 'must be a number' }).positive({ message: 'must be above 0' }).default(1),
    APPROVAL_REMIND_SCHOOL_DAYS: z.coerce.number({ message: 'must be a whole number of days' }).int().min(1).max(30).default(3),
    APPROVAL_ESCALATE_SCHOOL_DAYS: z.coerce.number({ message: 'must be a whole number of days' }).int().min(1).max(30).default(2),
    EXPORT_DIR: z.string().min(1).optional(),
    /**
     * The Entra app behind Teams SSO for the tab (the manifest's webApplicationInfo.id). The name is the
     * one teamsapp.yml's aadApp/create writes to env/.env.<env>, so a provisioned environment already has it.
     */
    AAD_APP_CLIENT_ID: z.string().regex(GUID, { message: 'must be the SSO app registration\'s client id, a GUID such as 00000000-0000-0000-0000-000000000000' }).optional(),
    /** Audiences an SSO token may carry, comma-separated; default the client id and api://<PUBLIC_URL host>/<client id>. */
    SSO_AUDIENCES: z
      .string()
      .transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))
      .pipe(z.array(z.string()).min(1, { message: 'must list at least one audience, comma-separated' }))
      .optional(),
    /**
     * The school's first policy admins, comma-separated: Entra object ids or e-mail addresses (UPNs).
     * Applied while the school has no policy admin; after that, policy admins assign roles in Settings.
     */
    COUNTERSIGN_ADMINS: z
      .string()
      .transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine((a) => GUID.test(a) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a), { message: 'lists an entry that is neither an object id (GUID) nor an e-mail address' })).max(50, { message: 'lists more than 50 people' }))
      .optional(),
    /**
     * The Teams app's manifest id (the name teamsapp.yml's teamsApp/create writes). Outside embedded mode the
     * app installs itself through Graph for people who have never opened it, before their first card.
     */
    TEAMS_APP_ID: z.string().regex(GUID, { message: "must be the Teams app's manifest id, a GUID (teamsapp.yml's teamsApp/create writes it to env/.env.<env>)" }).optional(),
    /** The organisation catalog's id for the app, if known: saves a Graph look-up and the AppCatalog.Read.All permission it needs. */
    TEAMS_APP_CATALOG_ID: z.string().min(1).max(100).optional(),
    /** Where Entra publishes the tenant's signing keys and whose host v2.0 tokens name as issuer (also written by aadApp/create). */
    AAD_APP_OAUTH_AUTHORITY_HOST: z.string().url({ message: 'must be a URL, e.g. https://login.microsoftonline.com' }).default('https://login.microsoftonline.com'),
    /** The Entra group whose members (transitively) are the staff: the roster is synced from it into the store. */
    STAFF_GROUP_ID: z.string().regex(GUID, { message: "must be the staff group's object id, a GUID such as 00000000-0000-0000-0000-000000000000" }).optional(),
    /**
     * Calls a minute one person may make to the tab's JSON API (calls without an accepted sign-in: per IP address).
     * A page of the tab makes a handful of calls, and the campaign dashboard polls every few seconds, so 300 leaves a
     * person ample room while one runaway client or script cannot flood the store.
     */
    TAB_API_RATE_LIMIT: z.coerce.number({ message: 'must be a whole number of requests a minute' }).int({ message: 'must be a whole number of requests a minute' }).min(10, { message: 'must be at least 10 (the tab makes several calls to show one page)' }).max(100_000).default(300),
    /** The least severe log lines written (pino levels). */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    /** Hours between directory syncs (each reads only the changes since the last). */
    DIRECTORY_SYNC_HOURS: z.coerce.number({ message: 'must be a number of hours' }).min(0.25, { message: 'must be at least 0.25 (15 minutes)' }).max(168, { message: 'must be at most 168 (a week)' }).default(4),
  })
  .superRefine((c, ctx) => {
    if (c.COUNTERSIGN_MODE === 'embedded') {
      // Embedded mode runs with connector auth off and acts as anyone on request (`as <name>`):
      // pointed at a school's real lists or bot registration it would let anyone act as anyone there.
      if (c.STORE === 'sharepoint') {
        ctx.addIssue({ code: 'custom', path: ['STORE=sharepoint'], message: 'is refused in COUNTERSIGN_MODE=embedded: the embedded mode runs without sign-in and keeps its demo records in a local SQLite file, never in a school\'s SharePoint (set COUNTERSIGN_MODE=m365 to use SharePoint)' });
        return;
      }
      for (const key of ['BOT_ID', 'BOT_PASSWORD'] as const) {
        if (c[key] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `is refused in COUNTERSIGN_MODE=embedded: the embedded mode turns Bot Framework auth off, so it must never run as a real bot registration (unset ${key}, or set COUNTERSIGN_MODE=m365)` });
          return;
        }
      }
    }
    if (c.STAFF_GROUP_ID && c.STORE !== 'sharepoint') {
      // The sync reads the group with the same Graph app registration (GRAPH_* settings) as the SharePoint store.
      ctx.addIssue({ code: 'custom', path: ['STAFF_GROUP_ID'], message: 'needs STORE=sharepoint: the directory sync uses the same Graph app registration as the SharePoint store (without it, import the roster with npm run roster:import)' });
      return;
    }
    if (c.STORE === 'sharepoint' && !c.LINK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['LINK_SIGNING_SECRET'], message: 'is required when STORE=sharepoint (32+ random characters that sign links in cards)' });
    }
    if (c.COUNTERSIGN_MODE === 'embedded') return;
    const need = (key: 'BOT_ID' | 'BOT_PASSWORD' | 'BOT_TENANT_ID', what: string) => {
      if (!c[key]?.trim()) ctx.addIssue({ code: 'custom', path: [key], message: `is required when COUNTERSIGN_MODE=${c.COUNTERSIGN_MODE} (${what})` });
    };
    need('BOT_ID', "the Azure Bot's Microsoft app id");
    if (c.BOT_TYPE !== 'UserAssignedMSI') need('BOT_PASSWORD', "the Azure Bot's client secret");
    need('BOT_TENANT_ID', 'the Entra tenant id');
    if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: `is required when COUNTERSIGN_MODE=${c.COUNTERSIGN_MODE} (the https address of this app, for links in cards)` });
    if (!c.LINK_SIGNING_SECRET) ctx.addIssue({ code: 'custom', path: ['LINK_SIGNING_SECRET'], message: `is required when COUNTERSIGN_MODE=${c.COUNTERSIGN_MODE} (32+ random characters that sign links in cards)` });
    // No default outside embedded mode: the id is written on every record and cannot change later without
    // rewriting them, and two schools left on the same default would collide when they join one trust.
    if (!c.SCHOOL_ID) {
      ctx.addIssue({ code: 'custom', path: ['SCHOOL_ID'], message: `is required when COUNTERSIGN_MODE=${c.COUNTERSIGN_MODE} (a short, stable slug for this school, e.g. larkfield-primary)` });
    }
    // The app installs itself through Graph with the GRAPH_* settings the SharePoint store needs; without
    // SharePoint there is no Graph access, so the setting would do nothing (see loadConfig for when it is required).
    if (c.STORE !== 'sharepoint' && c.TEAMS_APP_ID) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_APP_ID'], message: 'needs STORE=sharepoint: the app installs itself through Graph with the GRAPH_* settings, which only the SharePoint store has (unset TEAMS_APP_ID, or use STORE=sharepoint)' });
    }
    if (!c.AAD_APP_CLIENT_ID) {
      ctx.addIssue({ code: 'custom', path: ['AAD_APP_CLIENT_ID'], message: `is required when COUNTERSIGN_MODE=${c.COUNTERSIGN_MODE} (the client id of the Entra app behind the tab's Teams SSO; teamsapp.yml's provision writes it)` });
    }
  });

export interface Config {
  mode: Mode;
  store: { kind: 'sqlite' } | { kind: 'sharepoint'; sharePoint: SharePointConfig };
  port: number;
  dataDir: string;
  schoolName?: string;
  /** The deployment's one school (trust mode will hold several). */
  schoolId: string;
  timeZone: string;
  bot: { appId: string; password: string; tenantId: string; type: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI' };
  connectorServiceUrl?: string;
  publicUrl?: string;
  linkSecret?: string;
  rateScale: number;
  /** TAB_API_RATE_LIMIT: calls a minute per person to the tab's API. */
  tabApiRatePerMinute: number;
  logLevel: LogLevel;
  approvalReminders: { remind: number; escalate: number };
  exportDir: string;
  /** COUNTERSIGN_ADMINS: object ids or e-mail addresses of the first policy admins (see RolesService.grantFirstAdmins). */
  firstAdmins: string[];
  /** How the tab's API checks Teams SSO tokens; undefined in embedded mode, which signs in demo people instead. */
  sso?: SsoConfig;
  /** The roster synced from an Entra group (STAFF_GROUP_ID); undefined: the roster is what the store holds (demo, CSV import). */
  directory?: { staffGroupId: string; syncEveryMs: number };
  /** The Teams app that installs itself for people (TEAMS_APP_ID); undefined in embedded mode, which installs nothing. */
  teamsApp?: { manifestId: string; catalogId?: string };
}

export interface SsoConfig {
  /** The tenant whose people may sign in (BOT_TENANT_ID: one school, one tenant). */
  tenantId: string;
  clientId: string;
  /** The `aud` values accepted: v2.0 tokens carry the client id, v1.0 tokens may carry the Application ID URI. */
  audiences: string[];
  /** e.g. https://login.microsoftonline.com, without a trailing slash. */
  authorityHost: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
}

/** Parses the environment once. Throws ConfigError whose message is the one line to print. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Countersign cannot start: ${String(issue.path[0] ?? 'environment')} ${issue.message}.`);
  }
  const c = parsed.data;
  let store: Config['store'] = { kind: 'sqlite' };
  if (c.STORE === 'sharepoint') {
    try {
      store = { kind: 'sharepoint', sharePoint: loadSharePointConfig(env) };
    } catch (e) {
      if (e instanceof SharePointConfigError) throw new ConfigError(e.message);
      throw e;
    }
  }
  return {
    mode: c.COUNTERSIGN_MODE,
    store,
    port: c.PORT,
    dataDir: c.DATA_DIR,
    schoolName: c.SCHOOL_NAME,
    schoolId: c.SCHOOL_ID ?? demoSchool.id,
    timeZone: c.SCHOOL_TIMEZONE,
    bot: { appId: c.BOT_ID ?? '', password: c.BOT_PASSWORD ?? '', tenantId: c.BOT_TENANT_ID ?? '', type: c.BOT_TYPE },
    connectorServiceUrl: c.CONNECTOR_SERVICE_URL,
    publicUrl: c.PUBLIC_URL?.replace(/\/$/, ''),
    linkSecret: c.LINK_SIGNING_SECRET,
    rateScale: c.CONNECTOR_RATE_SCALE,
    tabApiRatePerMinute: c.TAB_API_RATE_LIMIT,
    logLevel: c.LOG_LEVEL,
    approvalReminders: { remind: c.APPROVAL_REMIND_SCHOOL_DAYS, escalate: c.APPROVAL_ESCALATE_SCHOOL_DAYS },
    exportDir: c.EXPORT_DIR ?? `${c.DATA_DIR}/exports`,
    directory: c.STAFF_GROUP_ID ? { staffGroupId: c.STAFF_GROUP_ID.toLowerCase(), syncEveryMs: Math.round(c.DIRECTORY_SYNC_HOURS * 3600_000) } : undefined,
    teamsApp: c.COUNTERSIGN_MODE === 'embedded' || !c.TEAMS_APP_ID ? undefined : { manifestId: c.TEAMS_APP_ID, catalogId: c.TEAMS_APP_CATALOG_ID },
    firstAdmins: c.COUNTERSIGN_ADMINS ?? [],
    sso:
      c.COUNTERSIGN_MODE === 'embedded' || !c.AAD_APP_CLIENT_ID
        ? undefined
        : {
            // Entra writes the tenant GUID in lower case in iss and tid; a setting pasted in capitals still matches.
            tenantId: (c.BOT_TENANT_ID ?? '').trim().toLowerCase(),
            clientId: c.AAD_APP_CLIENT_ID,
            // The manifest's webApplicationInfo.resource is api://<the tab's host>/<client id>; PUBLIC_URL is that host.
            audiences: c.SSO_AUDIENCES ?? [c.AAD_APP_CLIENT_ID, `api://${new URL(c.PUBLIC_URL!).host}/${c.AAD_APP_CLIENT_ID}`],
            authorityHost: c.AAD_APP_OAUTH_AUTHORITY_HOST.replace(/\/+$/, ''),
          },
  };
}

/** What a command-line tool needs to open the same store as the server (roster import): no bot, no SSO. */
export interface StoreConfig {
  store: Config['store'];
  dataDir: string;
  schoolId: string;
  /** SCHOOL_NAME, when set: a receipt names the school. */
  schoolName?: string;
  timeZone: string;
  /** The server's signing key (links, retention checkpoints); in embedded mode it is kept in the database instead. */
  linkSecret?: string;
  retention: RetentionPolicy;
}

const years = () =>
  z.coerce.number({ message: `must be a whole number of years` }).int({ message: 'must be a whole number of years' }).min(0, { message: 'must be 0 or more years' }).max(100, { message: 'must be at most 100 years' }).optional();

const storeSchema = z.object({
  STORE: z.enum(['sqlite', 'sharepoint'], { message: 'must be sqlite or sharepoint' }).optional(),
  DATA_DIR: z.string().min(1).default('data'),
  SCHOOL_ID: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, { message: 'must be a short slug: 1 to 40 lower-case letters, digits and hyphens, e.g. larkfield-primary' })
    .optional(),
  SCHOOL_TIMEZONE: z.string().default('Europe/London'),
  LINK_SIGNING_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  RETENTION_DECLARATIONS_YEARS: years(),
  RETENTION_CAMPAIGN_RECORDS_YEARS: years(),
  RETENTION_STAFF_YEARS: years(),
  RETENTION_UNSUCCESSFUL_REQUESTS_YEARS: years(),
  SCHOOL_NAME: z.string().min(1).max(120).optional(),
});

/**
 * The store settings alone, read as loadConfig reads them (same variables, same defaults), for tools
 * that open the server's store: the SQLite file in DATA_DIR, or the SharePoint lists. Throws ConfigError.
 */
export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const parsed = storeSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Countersign cannot open the store: ${String(issue.path[0] ?? 'environment')} ${issue.message}.`);
  }
  const c = parsed.data;
  let store: Config['store'] = { kind: 'sqlite' };
  if (c.STORE === 'sharepoint') {
    if (!c.SCHOOL_ID) throw new ConfigError('Countersign cannot open the store: SCHOOL_ID is required when STORE=sharepoint (the slug the server runs with, e.g. larkfield-primary).');
    try {
      store = { kind: 'sharepoint', sharePoint: loadSharePointConfig(env) };
    } catch (e) {
      if (e instanceof SharePointConfigError) throw new ConfigError(e.message);
      throw e;
    }
  }
  const retention: RetentionPolicy = {
    declarationsYearsAfterLeaving: c.RETENTION_DECLARATIONS_YEARS ?? DEFAULT_RETENTION.declarationsYearsAfterLeaving,
    campaignRecordsYearsAfterLeaving: c.RETENTION_CAMPAIGN_RECORDS_YEARS ?? DEFAULT_RETENTION.campaignRecordsYearsAfterLeaving,
    staffYearsAfterLeaving: c.RETENTION_STAFF_YEARS ?? DEFAULT_RETENTION.staffYearsAfterLeaving,
    unsuccessfulRequestsYears: c.RETENTION_UNSUCCESSFUL_REQUESTS_YEARS ?? DEFAULT_RETENTION.unsuccessfulRequestsYears,
  };
  return { store, dataDir: c.DATA_DIR, schoolId: c.SCHOOL_ID ?? demoSchool.id, schoolName: c.SCHOOL_NAME, timeZone: c.SCHOOL_TIMEZONE, ...(c.LINK_SIGNING_SECRET ? { linkSecret: c.LINK_SIGNING_SECRET } : {}), retention };
}

/** A summary that is safe to log: secrets shown only as set or not set. */
export function redactedSummary(c: Config): string {
  return [
    `mode=${c.mode}`,
    `store=${c.store.kind}`,
    `port=${c.port}`,
    `dataDir=${c.dataDir}`,
    `school=${c.schoolId}`,
    `botId=${c.bot.appId || '(none: connector auth off)'}`,
    `botPassword=${c.bot.password ? '(set)' : '(not set)'}`,
    `tenant=${c.bot.tenantId || '(demo)'}`,
    `sso=${c.sso ? `${c.sso.clientId} aud=${c.sso.audiences.join(',')} authority=${c.sso.authorityHost}` : '(embedded: demo sign-in)'}`,
    `linkSecret=${c.linkSecret ? '(set)' : '(embedded: kept in the database)'}`,
    `teamsApp=${c.teamsApp ? `${c.teamsApp.manifestId}${c.teamsApp.catalogId ? ` catalog=${c.teamsApp.catalogId}` : ''} (installs itself for people)` : '(none: installs nothing)'}`,
    `rateScale=${c.rateScale}`,
    `tabApiRateLimit=${c.tabApiRatePerMinute}/min`,
    `logLevel=${c.logLevel}`,
    `staffGroup=${c.directory ? `${c.directory.staffGroupId} every ${c.directory.syncEveryMs / 3600_000}h` : '(none: the stored roster)'}`,
    `firstAdmins=${c.firstAdmins.length}`,
  ].join(' ');
}
