import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SharePointConfig } from './config';
import { SharePointConfigError, SharePointError } from './errors';

/** Returns a bearer token for Graph. */
export type TokenProvider = () => Promise<string>;

/**
 * App-only tokens by client credentials. One ConfidentialClientApplication per
 * process: acquireTokenByClientCredential looks in its in-memory token cache
 * first and only asks Entra when the cached token is near expiry (msal-node,
 * "Token caching"), so calling it per request costs nothing.
 */
export function msalTokenProvider(c: Pick<SharePointConfig, 'tenantId' | 'clientId' | 'auth' | 'graphBaseUrl' | 'authorityHost'>): TokenProvider {
  const where = msalAuthority(c);
  const credential: Configuration['auth'] =
    c.auth.kind === 'secret'
      ? { clientId: c.clientId, ...where, clientSecret: c.auth.secret }
      : { clientId: c.clientId, ...where, clientCertificate: loadCertificate(c.auth.path, c.auth.password) };
  const app = new ConfidentialClientApplication({ auth: credential });
  // Client credentials take the resource's "/.default" scope: the app's granted permissions
  // (Sites.Selected or Sites.ReadWrite.All), not a per-call list.
  const scopes = [`${new URL(c.graphBaseUrl).origin}/.default`];
  return async () => {
    const result = await app.acquireTokenByClientCredential({ scopes });
    if (!result?.accessToken) throw new SharePointError('SharePoint: Entra returned no access token for the app', 401);
    return result.accessToken;
  };
}

/**
 * The tenant's authority on the configured host. Off the global cloud the host is named as known, so
 * msal-node trusts it without asking the global cloud's instance discovery (msal-node, "Configuration
 * options": knownAuthorities), which a national cloud's or a private endpoint's host would fail.
 */
export function msalAuthority(c: Pick<SharePointConfig, 'tenantId' | 'authorityHost'>): { authority: string; knownAuthorities?: string[] } {
  const host = c.authorityHost.replace(/\/+$/, '');
  const authority = `${host}/${c.tenantId}`;
  return host === 'https://login.microsoftonline.com' ? { authority } : { authority, knownAuthorities: [new URL(host).host] };
}

/**
 * A PEM file holding the certificate and its private key (as `openssl req -x509 ... -keyout k.pem -out c.pem`,
 * concatenated). msal-node wants the SHA-256 thumbprint in hex and an unencrypted PKCS#8 key.
 */
export function loadCertificate(path: string, password?: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SharePointConfigError(`Countersign cannot use SharePoint: GRAPH_CERTIFICATE_PATH cannot be read (${(e as Error).message}).`);
  }
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN (?:ENCRYPTED |RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!cert || !key) {
    throw new SharePointConfigError('Countersign cannot use SharePoint: GRAPH_CERTIFICATE_PATH must be a PEM file with both the certificate and its private key.');
  }
  try {
    const x509 = new X509Certificate(cert);
    const privateKey = createPrivateKey({ key, passphrase: password }).export({ format: 'pem', type: 'pkcs8' }).toString();
    return { thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(), privateKey, x5c: cert };
  } catch (e) {
    throw new SharePointConfigError(`Countersign cannot use SharePoint: GRAPH_CERTIFICATE_PATH could not be loaded (${(e as Error).message}); set GRAPH_CERTIFICATE_PASSWORD if the key is encrypted.`);
  }
}
