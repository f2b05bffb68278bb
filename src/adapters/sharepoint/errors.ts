/**
 * Errors the SharePoint adapter throws. The store port's own conflict error
 * (ConflictError) covers stale eTags; these cover outages and set-up mistakes,
 * which are exceptions by our rules ("exceptions are for bugs and outages").
 */

/** Graph answered with an error we do not turn into a value, or kept throttling past our retry budget. */
export class SharePointError extends Error {
  readonly code = 'STORE.SHAREPOINT';
  constructor(
    message: string,
    /** HTTP status from Graph, or 0 when no answer came. */
    readonly status: number,
    /** Graph's error code, e.g. `activityLimitReached`, when it sent one. */
    readonly graphCode?: string,
  ) {
    super(message);
    this.name = 'SharePointError';
  }
}

/** The site is missing a list or column the store needs: run `npm run provision:sharepoint`. */
export class SharePointSetupError extends Error {
  readonly code = 'STORE.SHAREPOINT_SETUP';
  constructor(message: string) {
    super(message);
    this.name = 'SharePointSetupError';
  }
}

/** Provisioning refused a site, e.g. a list of the same name has a column of another type. */
export class ProvisioningError extends Error {
  readonly code = 'PROVISION.REFUSED';
  constructor(
    message: string,
    /** One line per incompatible column, for the person running the script. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/** A SharePoint setting is missing or malformed. The message is one line naming the variable. */
export class SharePointConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SharePointConfigError';
  }
}

/** Graph's status and error code from whatever the client threw. */
export function graphStatus(e: unknown): { status: number; code?: string; message: string } {
  const g = e as { statusCode?: unknown; code?: unknown; message?: unknown };
  // The client reports -1 when no HTTP answer came (e.g. the token request failed).
  const status = typeof g?.statusCode === 'number' && g.statusCode > 0 ? g.statusCode : 0;
  return { status, code: typeof g?.code === 'string' ? g.code : undefined, message: typeof g?.message === 'string' ? g.message : String(e) };
}

/** Wraps anything the Graph client threw as a SharePointError naming what we were doing. */
export function asSharePointError(e: unknown, doing: string): SharePointError {
  if (e instanceof SharePointError) return e;
  const { status, code, message } = graphStatus(e);
  return new SharePointError(`SharePoint: ${doing} failed (${status || 'no response'}${code ? ` ${code}` : ''}): ${message}`, status, code);
}
