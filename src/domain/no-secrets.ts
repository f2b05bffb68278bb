/**
 * No password of any social media account is ever stored (issue 11): the register records only where a
 * login is held (a person or a role), never the login itself. This is the check every free-text field
 * applies at the edge: the request form (chat card and tab), and the register's go-live confirmation.
 *
 * Pure and deliberately narrow, because refusing ordinary words is worse than useless: people describe
 * security measures ("strong passwords, changed termly"), name places ("the network manager's safe"),
 * and give handles, hashtags, e-mail addresses and web addresses. What it refuses:
 *
 * 1. A labelled value: "password: Summer2024", "pwd=letmein", "login: admin/Tr0ub4dor": a password-ish
 *    label followed by ":", "=" or "is" and a value that looks like a secret (it has a digit or a
 *    symbol), or after "password:" a lone word of 6+ letters ending the phrase ("password: letmein"),
 *    or anything after "=" (code-like).
 *    "Password: kept by the network manager" is a sentence, and passes.
 * 2. A bare token of 8 or more characters, without spaces, mixing letters, digits and symbols
 *    ("P@ssw0rd1", "Summer2024!"), unless it is a web address, an e-mail address, a @handle or a #hashtag.
 */

/** What a person is told, after the field's name. */
export const NO_PASSWORD_MESSAGE = "Do not type a password here: record only where the login is held, for example 'network manager'.";

/** Labels that introduce a secret. `login`/`username` only with a secret-looking value: "login: network manager" is where, not what. */
const PASSWORD_LABEL = String.raw`pass(?:word|code|phrase)s?|pwd`;
const LOGIN_LABEL = String.raw`log-?in|user-?name|credentials?`;

// Look-behind and look-ahead, not consumed: "login is admin, password: Summer2024" holds two matches.
const labelled = new RegExp(String.raw`(?<![\p{L}\p{N}])(${PASSWORD_LABEL}|${LOGIN_LABEL})\s*(:|=|\bis\b)\s*(\S+)(?=([\s\S]?))`, 'giu');
const passwordLabel = new RegExp(`^(?:${PASSWORD_LABEL})$`, 'iu');

/** Symbols people put in passwords, not the punctuation of names, places and sentences (. , - / ' ’ ( ) :). */
const SECRET_SYMBOL = /[!#$%^&*+=?~|<>{}[\]\\@;"`£]/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

const isWebAddress = (t: string) => /^(?:https?:\/\/|www\.)/i.test(t) || /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+(?:\/\S*)?$/u.test(t);
const isEmail = (t: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t);
const isHandleOrTag = (t: string) => /^[@#][\p{L}\p{N}_.]+$/u.test(t);

/** Trailing sentence punctuation is not part of a token ("…safe." "…Summer2024!," keeps its "!"). */
const trimToken = (t: string) => t.replace(/^[("'“‘]+/u, '').replace(/[)"'”’,.;:]+$/u, '');

/** A bare token shaped like a password: 8+ characters, letters, digits and a password symbol, and no address, handle or tag. */
export function isSecretToken(raw: string): boolean {
  const t = trimToken(raw);
  if (t.length < 8) return false;
  if (isWebAddress(t) || isEmail(t) || isHandleOrTag(t)) return false;
  return LETTER.test(t) && DIGIT.test(t) && SECRET_SYMBOL.test(t);
}

/** A value after a label that looks like a secret: a digit, a password symbol or a machine-style underscore in it. */
const secretLooking = (t: string) => DIGIT.test(t) || SECRET_SYMBOL.test(t) || t.includes('_');

/**
 * True when `text` holds something shaped like a password (see the module's comment). Pure; for any
 * free-text field. Never throws, whatever the input.
 */
export function looksLikePassword(text: string): boolean {
  if (!text) return false;
  for (const m of text.matchAll(labelled)) {
    const [, label, sep, rawValue, after] = m as unknown as [string, string, string, string, string];
    const value = trimToken(rawValue);
    if (!value) continue;
    if (sep === '=') return true;
    const isPasswordLabel = passwordLabel.test(label);
    // "username is @larkfield_pe", "login: office@school.example": a public name, not a secret.
    if (!isPasswordLabel && (isHandleOrTag(value) || isEmail(value) || isWebAddress(value))) continue;
    if (secretLooking(value)) return true;
    // "password: letmein" (the phrase ends with the word) is a value; "password: kept in the safe" is a sentence.
    const endsPhrase = after === '' || /[\n\r,;.]/.test(after) || rawValue !== value;
    if (sep === ':' && isPasswordLabel && endsPhrase && value.length >= 6) return true;
  }
  return text.split(/\s+/).some(isSecretToken);
}

/** The refusal for one field, as "Label: Do not type a password here…", or undefined when the text is fine. */
export function passwordRefusal(label: string, text: string): string | undefined {
  return looksLikePassword(text) ? `${label}: ${NO_PASSWORD_MESSAGE}` : undefined;
}
