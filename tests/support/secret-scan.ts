/**
 * Shapes of keys, passwords and tokens, found in text (a tracked file, a log line). Each rule names what it
 * found, never the value itself, so a finding can be reported without leaking it a second time.
 *
 * The shapes follow the vendors' own formats: Entra client secrets carry `8Q~` after three characters
 * (learn.microsoft.com, Entra app registration secrets; the same shape gitleaks' azure-ad-client-secret rule
 * uses), AWS access key ids start AKIA/ASIA, GitHub tokens ghp_/gho_/ghu_/ghs_/ghr_ and github_pat_, JWTs are
 * base64url JSON (`eyJ`) in three dotted parts, Azure Storage SAS tokens sign with `sig=`, and storage
 * connection strings carry `AccountKey=`. Countersign's own credentials: the embedded demo's sign-in token
 * (`dev.<person>.<expiry>.<signature>`) and the HMAC of a signed link (`s=` followed by 43 base64url characters).
 */

export interface SecretFinding {
  rule: string;
  /** 1-based line of the match in the text scanned. */
  line: number;
  /** The match with its middle blanked, for the report. */
  hint: string;
}

interface Rule {
  name: string;
  pattern: RegExp;
  /** Which capture group holds the secret value (0: the whole match). */
  group?: number;
  /** Values that have the shape but are placeholders or published test values. */
  allowed?: (value: string) => boolean;
}

/**
 * Azurite's account key. Microsoft publishes it as the emulator's fixed, well-known key (learn.microsoft.com,
 * "Use the Azurite emulator for local Azure Storage development", "Well-known storage account and key"):
 * it opens nothing but a local emulator. Exactly this value is allowed, nothing like it.
 */
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * A value that says it is not a real secret: a template, an environment reference, an obvious stand-in, one
 * that names itself (`a-client-secret`), or the stock examples `hunter2` and `s3cret`.
 */
const PLACEHOLDER = /^(\$|<|\{\{|%|\[redacted\]|\(set\)|\(not set\))|not-a-real|placeholder|example|changeme|change-me|dummy|fake|sample|redacted|your[-_]|xxxx|\*{3,}|test|secret|password|^hunter2$|^s3cret$/i;

const isPlaceholder = (value: string) => PLACEHOLDER.test(value);

const RULES: Rule[] = [
  { name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { name: 'Entra client secret', pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'AWS secret access key', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})/gi, group: 1 },
  { name: 'private key (PEM)', pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY( BLOCK)?-----/g },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    name: 'password or secret assigned in quotes',
    pattern: /["']?[A-Za-z0-9_]*(?:password|passwd|secret)["']?\s*[:=]\s*["']([^"'\s]{6,})["']/gi,
    group: 1,
    allowed: isPlaceholder,
  },
  {
    name: 'password or secret in an environment file',
    pattern: /^[ \t]*(?:export[ \t]+)?[A-Z0-9_]*(?:PASSWORD|SECRET)[A-Z0-9_]*[ \t]*=[ \t]*([^\s#'"]{6,})/gm,
    group: 1,
    allowed: isPlaceholder,
  },
  { name: 'password in a query string', pattern: /[?&](?:password|passwd|pwd)=([^&\s"'#]{4,})/gi, group: 1, allowed: isPlaceholder },
  { name: 'SAS signature', pattern: /[?&]sig=([A-Za-z0-9%+/=_-]{20,})/g, group: 1, allowed: isPlaceholder },
  { name: 'storage account key', pattern: /AccountKey=([A-Za-z0-9+/=]{20,})/g, group: 1, allowed: (v) => v === AZURITE_ACCOUNT_KEY },
  { name: 'shared access key', pattern: /SharedAccessKey=([A-Za-z0-9+/=]{20,})/g, group: 1 },
  { name: 'Countersign dev sign-in token', pattern: /\bdev\.[A-Za-z0-9_-]{4,}\.\d{10,15}\.[A-Za-z0-9_-]{20,}/g },
  { name: 'Countersign link signature', pattern: /[?&]s=([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g, group: 1 },
];

const hint = (s: string) => (s.length <= 8 ? '…' : `${s.slice(0, 4)}…${s.slice(-2)}`);

export function findSecrets(text: string): SecretFinding[] {
  const found: SecretFinding[] = [];
  for (const rule of RULES) {
    for (const m of text.matchAll(rule.pattern)) {
      const value = m[rule.group ?? 0] ?? m[0];
      if (rule.allowed?.(value)) continue;
      const line = text.slice(0, m.index).split('\n').length;
      found.push({ rule: rule.name, line, hint: hint(value) });
    }
  }
  return found;
}
