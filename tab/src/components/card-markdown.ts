/**
 * The markdown our own card text uses, drawn as Teams draws it: only **bold** (src/cards note() and heading()),
 * and line breaks. People's text is in TextRuns, which never take markdown; even so, everything is escaped
 * first, so nothing but bold and line breaks can come of any text.
 */
export function cardMarkdownHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\r?\n/g, '<br>');
}
