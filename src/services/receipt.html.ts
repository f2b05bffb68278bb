import { formatDay, formatMoment } from '../domain/display-dates';
import type { Receipt } from './receipt.service';

/** Text made safe for HTML content and attribute values: every name, label and hash is user text or stored text. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The line shown instead of the chain position while the audit entry waits to be chained (SharePoint, seconds after signing). */
export const BEING_RECORDED = 'Chain position: being recorded, try again in a minute.';

/** `receipt-<person>-<version>.html`, with only the characters every file system accepts. */
export function receiptFileName(person: string, version: string): string {
  const slug = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60) || 'unknown';
  return `receipt-${slug(person)}-${slug(version)}.html`;
}

// Inline and self-contained: the receipt is saved, mailed and printed away from the server. The print
// stylesheet keeps it to one A4 page (checked in Chromium by tests/e2e/receipt.test.ts).
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "Segoe UI",system-ui,-apple-system,Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
main{max-width:46em;margin:0 auto;padding:1.5em 1em 2em}
header{border-bottom:2px solid #1b1b1b;padding-bottom:.6em;margin-bottom:.8em}
.school{margin:0;font-size:.95em;color:#444}
h1{margin:.1em 0 .2em;font-size:1.5em}
.lead{margin:0;font-size:1.05em}
h2{font-size:1em;margin:1em 0 .3em;text-transform:uppercase;letter-spacing:.04em;color:#444}
dl{margin:0;display:grid;grid-template-columns:minmax(9em,13em) minmax(0,1fr);gap:.25em .9em}
dt{font-weight:600}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
.hash{font-family:Consolas,"Courier New",monospace;font-size:.85em;word-break:break-all}
.pending{font-weight:600}
.warning{border:2px solid #1b1b1b;padding:.4em .6em;font-weight:600}
.check{margin-top:1em;border-top:1px solid #999;padding-top:.4em;font-size:.9em}
.check p{margin:.3em 0}
code{font-family:Consolas,"Courier New",monospace}
footer{margin-top:1em;font-size:.8em;color:#555}
@media (max-width:32em){dl{grid-template-columns:minmax(0,1fr)}dd{margin-bottom:.4em}}
@media print{
  @page{size:A4;margin:12mm 14mm}
  body{font-size:9pt;line-height:1.3}
  main{max-width:none;padding:0}
  header{padding-bottom:.4em;margin-bottom:.5em}
  h2{margin:.7em 0 .2em}
  dl{gap:.15em .8em}
  .check{margin-top:.7em}
  footer{margin-top:.6em}
  h2{break-after:avoid}
  section,dl{break-inside:avoid}
}`;

function row(label: string, value: string, o: { hash?: boolean } = {}): string {
  return `<dt>${escapeHtml(label)}</dt><dd${o.hash ? ' class="hash"' : ''}>${escapeHtml(value)}</dd>`;
}

/**
 * A signature's receipt as one self-contained HTML page (no external assets; fits one printed A4 page):
 * who signed, the typed name, when, which version and its hash, and where the signature sits in the school's
 * audit chain, with how to check it. Pure: `generatedAt` is passed in.
 */
export function receiptHtml(r: Receipt, o: { generatedAt: string }): string {
  const when = `${formatMoment(r.signedAt, r.timeZone)} (${r.timeZone})`;
  const chain = r.chain
    ? `<dl>${row('Signature record hash', r.recordHash, { hash: true })}${row('Chain position', `entry ${r.chain.seq} of ${r.schoolName}’s audit chain`)}${row('Entry hash', r.chain.hash, { hash: true })}${row('Previous entry hash', r.chain.prevHash, { hash: true })}</dl>${
        r.chain.recordHash === r.recordHash
          ? ''
          : `<p class="warning" role="alert">The signature as stored no longer matches the hash its audit entry recorded (${escapeHtml(r.chain.recordHash)}). Ask whoever runs Countersign to run the audit check below.</p>`
      }`
    : `<dl>${row('Signature record hash', r.recordHash, { hash: true })}</dl><p class="pending">${escapeHtml(BEING_RECORDED)}</p>`;
  const title = `Signature receipt: ${r.policyName}, version ${r.versionLabel}, ${r.signerName}`;
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<p class="school">${escapeHtml(r.schoolName)}</p>
<h1>Signature receipt</h1>
<p class="lead">${escapeHtml(r.policyName)}, version ${escapeHtml(r.versionLabel)}</p>
</header>
<section aria-labelledby="who">
<h2 id="who">The signature</h2>
<dl>${row('Signed by', r.signerEmail ? `${r.signerName} (${r.signerEmail})` : r.signerName)}${row('Name typed as signature', r.typedName)}${row('Signed at', when)}${row('Signed at (UTC)', r.signedAt)}${
    r.campaignId ? row('Campaign', r.campaignId) : ''
  }</dl>
</section>
<section aria-labelledby="what">
<h2 id="what">The policy version signed</h2>
<dl>${row('Policy', r.policyName)}${row('Version title', r.versionTitle)}${row('Version', r.versionLabel)}${row('Effective from', formatDay(r.effectiveDate))}${row('Version id', r.versionId)}${row(
    'Content hash (SHA-256)',
    r.contentHash,
    { hash: true },
  )}</dl>
</section>
<section aria-labelledby="chain">
<h2 id="chain">The audit trail</h2>
${chain}
</section>
<section class="check" aria-labelledby="how">
<h2 id="how">How to check this receipt</h2>
<p>The content hash stands for the exact wording of the version that was signed: any change to that wording gives a different hash. The signature record hash stands for this signature as it is stored, and the audit trail links it into the school’s chain of entries, each holding the hash of the one before.</p>
<p>Whoever runs Countersign’s server can run <code>npm run audit:verify</code>: it recomputes every hash in the chain and reports any entry or signature that no longer matches. If it reports nothing and the hashes above are as shown, this signature is as it was recorded.</p>
</section>
<footer>Produced by Countersign on ${escapeHtml(formatMoment(o.generatedAt, r.timeZone))} (${escapeHtml(r.timeZone)}).</footer>
</main>
</body>
</html>
`;
}
