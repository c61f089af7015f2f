import { describe, expect, it } from 'vitest';
import {
  htmlToPlainText,
  looksLikeHtml,
  sanitizeArticleHtml,
} from '../../../functions/core/articles/parsing/index.ts';
import { firstHtmlParagraph, tidyText } from '../../../functions/core/articles/parsing/sanitize.ts';

describe('Function: sanitizeArticleHtml', () => {
  it('removes scripts, styles and iframes with their content', () => {
    // Act
    const html = sanitizeArticleHtml(
      '<p>Keep</p><script>alert(1)</script><style>p{}</style><iframe src="https://x.test">fallback</iframe><noscript>ns</noscript>',
    );

    // Assess
    expect(html).toBe('<p>Keep</p>');
  });

  it('drops on* and other attributes, and javascript:/data:/protocol-relative URLs', () => {
    // Act
    const html = sanitizeArticleHtml(
      '<p class="x" style="color:red" onclick="x()">' +
        '<a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> ' +
        '<a href="https://ok.test/a" title="T" onmouseover="x()" rel="nofollow">ok</a> ' +
        '<a href="mailto:desk@news.test">mail</a> <a href="/relative">rel</a></p>' +
        '<img src="javascript:alert(1)" alt="a"><img src="//evil.test/x.png" alt="b">' +
        '<img src="data:image/png;base64,AAAA" alt="c"><img src="https://ok.test/x.png" alt="d" onerror="x()" width="9">',
    );

    // Assess
    expect(html).toBe(
      '<p>js data <a href="https://ok.test/a" title="T">ok</a> <a href="mailto:desk@news.test">mail</a> <a href="/relative">rel</a></p>' +
        '<img src="https://ok.test/x.png" alt="d" />',
    );
  });

  it('keeps the allowed tags and turns h1/h5/h6 into h2/h4', () => {
    // Act
    const html = sanitizeArticleHtml(
      '<h1>A</h1><h3>B</h3><h6>C</h6><ul><li><b>b</b> <i>i</i> <em>e</em> <strong>s</strong></li></ul><ol><li>1</li></ol><blockquote>q</blockquote><p>x<br>y</p><div><span>loose</span></div><table><tr><td>cell</td></tr></table>',
    );

    // Assess
    expect(html).toBe(
      '<h2>A</h2><h3>B</h3><h4>C</h4><ul><li><b>b</b> <i>i</i> <em>e</em> <strong>s</strong></li></ul><ol><li>1</li></ol><blockquote>q</blockquote><p>x<br />y</p>loosecell',
    );
  });
});

describe('Function: looksLikeHtml', () => {
  it.each([
    ['<p>Hello</p>', true],
    ['Text with <br> a break', true],
    ['<script>x</script>', true],
    ['3 < 4 and 5 > 2', false],
    ['Plain text\n\nwith paragraphs', false],
    ['An email <desk@news.test>', false],
  ])('%j → %s', (text, expected) => {
    // Act
    const result = looksLikeHtml(text);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('Function: htmlToPlainText', () => {
  it('gives paragraphs separated by blank lines, without link URLs or images, headings as written', () => {
    // Act
    const text = htmlToPlainText(
      '<h2>Sub title</h2><p>One <a href="https://x.test">link</a>&nbsp;&amp; more</p><img src="https://x.test/a.png" alt="img"><p>Two</p>',
    );

    // Assess
    expect(text).toBe('Sub title\n\nOne link & more\n\nTwo');
  });
});

describe('Function: firstHtmlParagraph', () => {
  it('skips headings and empty paragraphs', () => {
    // Act
    const lead = firstHtmlParagraph('<h2>Sub</h2><p><img src="https://x.test/a.png" alt="" /></p><p>Lead <em>text</em>.</p><p>Next</p>');

    // Assess
    expect(lead).toBe('Lead text.');
  });
});

describe('Function: tidyText', () => {
  it('turns NBSPs into spaces, collapses spaces and blank lines, trims lines', () => {
    // Act
    const text = tidyText('\n  The\u00a0 US\u202fsaid  \t it  \n\n\n\nmore\u00a0\u00a0\n');

    // Assess
    expect(text).toBe('The US said it\n\nmore');
  });
});
