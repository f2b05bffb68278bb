import { describe, expect, it } from 'vitest';
import { cardMarkdownHtml } from '../../tab/src/components/card-markdown';

describe('the tab draws our card text as Teams does', () => {
  it.each([
    ['use **Read the full policy**.', 'use <strong>Read the full policy</strong>.'],
    ['**Before it goes live**', '<strong>Before it goes live</strong>'],
    ['line one\nline two', 'line one<br>line two'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['**<img src=x onerror=alert(1)>**', '<strong>&lt;img src=x onerror=alert(1)&gt;</strong>'],
    ['[a link](javascript:alert(1)) & "quotes"', '[a link](javascript:alert(1)) &amp; &quot;quotes&quot;'],
  ])('%s', (text, html) => expect(cardMarkdownHtml(text)).toBe(html));
});
