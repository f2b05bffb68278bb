import fc from 'fast-check';

/**
 * What the property tests throw at Countersign, and how they judge its answers. Shared by the bot's
 * (tests/integration/activities.property.test.ts) and the tab API's (tests/api/api.property.test.ts).
 */

/** Unicode that trips code which assumes tidy text: lone surrogates, direction overrides, zero-width and control characters, ZWJ emoji, stacked combining marks. */
export const unicodeEdges = [
  '\uD800',
  'a\uDC00b',
  '\uDBFF\uDFFF',
  '\u202Eevil\u202C',
  '\u2066isolate\u2069',
  '\u200B\u200C\u200D\uFEFF',
  'nul\u0000byte',
  '\u0007\u001B[31m',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301',
  '\uFFFF\uFFFE\uFFFD',
  '\u0085\u2028\u2029\r\n',
  'İı ß ﬁ',
  '𝕏𝔂𝖟',
  '\u00AD\u034F',
];

/**
 * Markup a person may type hoping it renders in someone else's card or page: HTML and script,
 * markdown links (javascript: and to another site, dressed as our own words), Adaptive Card
 * template text, Teams' date function, mentions. Every link points at evil.example, which no
 * text of ours names, so finding it live in a card proves the text leaked.
 */
export const injections = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">Approve</a>',
  '[Approve this request](javascript:alert(1))',
  '[Open the policy](https://evil.example/login)',
  '![pixel](https://evil.example/p.png)',
  'https://evil.example/approve',
  'evil.example',
  'head@evil.example',
  '${$root.requestId}',
  '${if(true, "yes", "no")}',
  '{{DATE(2030-01-01T00:00:00Z, SHORT)}}',
  '<at>Priya Raman</at>',
  '**Approved** by the head teacher',
  '# Heading\n- item\n1. first',
  "'); DROP TABLE requests; --",
  '../../etc/passwd',
  '%00%2e%2e%2f',
  '__proto__',
  'constructor',
];

export const unicodeEdge = fc.constantFrom(...unicodeEdges);
export const injection = fc.constantFrom(...injections);

/** A few pieces of edge-case Unicode, injected markup and noise, run together. */
export const nasty = fc.array(fc.oneof(unicodeEdge, injection, fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));

/** Long text that still fits a request body (up to 30,000 characters). */
export const huge = fc.tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), unicodeEdge, injection), fc.integer({ min: 1_000, max: 30_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));

/** Text far beyond any body limit: 300,000 to 400,000 characters (the app's limit is 256 KB). */
export const enormous = fc.tuple(fc.constantFrom('x', 'é', '👩‍👩‍👧‍👦', '[a](javascript:x)'), fc.integer({ min: 300_000, max: 400_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length)));

/** Any string a field might receive. */
export const someString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 4, arbitrary: nasty },
  { weight: 1, arbitrary: huge },
);

/** A value of some other type than the field wants. */
export const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'true', '[]', '{}', 'null', 'undefined'),
);

// ---- judging answers ----------------------------------------------------------------------------

/** What leaks from a crash: a stack frame, a JS error name, a value printed without thought. */
const crashTrace = /\bat \S+ \(.*:\d+:\d+\)|node:internal|\.(?:ts|js):\d+:\d+|\b(?:TypeError|ReferenceError|RangeError|SyntaxError)\b|Cannot read propert|is not a function|\[object Object\]|SQLITE_|ZodError/;
/** Words that name no problem. */
const generic = /^\s*(?:error|an error occurred|bad request|invalid|invalid input|forbidden|not found|internal server error|unknown error|something went wrong\.?|failed|request failed)\s*\.?\s*$/i;

/** Why `message` is not a clear refusal (undefined when it is one): a sentence in words, not a stack trace or a bare "error". */
export function unclear(message: unknown): string | undefined {
  if (typeof message !== 'string') return `the message is ${message === undefined ? 'missing' : typeof message}`;
  const words = message.replace(/\u200B/g, '').match(/\p{L}{2,}/gu) ?? [];
  if (words.length < 3) return `the message says too little: ${JSON.stringify(message.slice(0, 200))}`;
  if (generic.test(message)) return `the message is generic: ${JSON.stringify(message)}`;
  if (crashTrace.test(message)) return `the message shows a crash: ${JSON.stringify(message.slice(0, 300))}`;
  return undefined;
}

/** Our own words for "an exception was caught": a turn or call that threw, which the property counts as a failure. */
export const ourApology = /Something went wrong on our side/i;

/**
 * Injected markup that would be live in an element Teams renders as markdown: a link or image (`](`), an
 * address a client turns into a link, a tag, template text or Teams' date function. (`javascript:` on its
 * own is inert there: it needs a link around it.)
 */
const liveMarkup = /\]\(|evil\.example|<script|<a\s|<img|<at>|\$\{|\{\{/i;

/**
 * Why a card would let injected markup work (undefined when it would not). TextBlocks render
 * Teams' markdown subset, so none may carry generated markup at all; TextRuns render none, but a
 * client still turns a bare address into a link, so none may carry one that is not broken by a
 * zero-width space (what src/cards' `inert` does); links may point only where the server chose
 * (button titles are plain text in Teams).
 */
export function markupLeak(card: unknown): string | undefined {
  const found: string[] = [];
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.type === 'TextBlock' && typeof n.text === 'string' && liveMarkup.test(n.text)) found.push(`TextBlock ${JSON.stringify(n.text.slice(0, 200))}`);
    if (n.type === 'TextRun' && typeof n.text === 'string' && /evil\.example|:\/\/evil/i.test(n.text)) found.push(`TextRun with a live address ${JSON.stringify(n.text.slice(0, 200))}`);
    if (typeof n.type === 'string' && n.type.startsWith('Action.')) {
      if (typeof n.url === 'string' && /javascript:|evil\.example/i.test(n.url)) found.push(`link ${JSON.stringify(n.url.slice(0, 200))}`);
    }
    if (n.type === 'FactSet') for (const f of n.facts ?? []) if (liveMarkup.test(`${f.title} ${f.value}`)) found.push(`fact ${JSON.stringify(f).slice(0, 200)}`);
    for (const v of Object.values(n)) walk(v);
  };
  walk(card);
  return found.length ? found.join('; ') : undefined;
}
