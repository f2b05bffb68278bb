/**
 * Reads the Toolkit's env files and fills `${{NAME}}` placeholders the way the Toolkit does
 * (env/.env.<env>, then the git-ignored env/.env.<env>.user for secrets; see
 * https://aka.ms/teamsfx-v5.0-guide, "Environment files").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** KEY=VALUE lines; `#` comments and blank lines skipped; one pair of surrounding quotes removed. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    out[m[1]] = value;
  }
  return out;
}

/** The values of one environment: env/.env.<env>, overlaid by env/.env.<env>.user when it exists. */
export function loadEnvironment(root: string, env: string): { values: Record<string, string>; files: string[] } {
  if (!/^[A-Za-z0-9_-]+$/.test(env)) throw new Error(`"${env}" is not an environment name (letters, digits, - and _)`);
  const files = [join('env', `.env.${env}`), join('env', `.env.${env}.user`)].filter((f) => existsSync(join(root, f)));
  if (!files.length) throw new Error(`env/.env.${env} does not exist`);
  const values = Object.assign({}, ...files.map((f) => parseEnvFile(readFileSync(join(root, f), 'utf8'))));
  return { values, files };
}

/** Placeholder names used in `text`, in order of first use. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Fills every placeholder of a JSON template. Values are escaped as JSON string content, so a value with a
 * quote cannot change the document's shape. `missing` lists names with no value (or an empty one, unless
 * `mayBeEmpty` names them).
 */
export function fillJsonTemplate(
  text: string,
  values: Record<string, string | undefined>,
  mayBeEmpty: ReadonlySet<string> = new Set(),
): { text: string; missing: string[] } {
  const missing = placeholdersIn(text).filter((n) => values[n] === undefined || (values[n] === '' && !mayBeEmpty.has(n)));
  const filled = text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name] ?? '').slice(1, -1));
  return { text: filled, missing };
}
