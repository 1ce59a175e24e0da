import { SafeHtml, escapeHtml, html } from './html';

describe('html templates', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });

  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `"><img src=x onerror=alert(1)>`;
    expect(html`<input value="${name}"><p>${name}</p>`.value).toBe(
      '<input value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>',
    );
  });

  it('keeps nested templates as markup, and escapes inside them', () => {
    const rows = ['<a>', 'b&c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${rows}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>');
  });

  it('renders nothing for null, undefined and booleans, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${true}${42}`.value).toBe('42');
  });

  it('never trusts a string that merely looks like markup', () => {
    const forged = { value: '<b>' } as unknown as string;
    expect(html`${forged}`.value).toBe('[object Object]');
    expect(html`${new SafeHtml('<b>')}`.value).toBe('<b>');
  });
});
