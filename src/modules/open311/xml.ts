// XML serialization for Open311 GeoReport v2: plain elements, no attributes, UTF-8 declaration.

export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Escapes text for element content; drops characters XML 1.0 does not allow. */
export function escapeXml(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * One element. An array becomes repeated children named by `itemName(name)` (the caller's
 * plural-to-singular map); null or undefined becomes an empty element.
 */
export function element(name: string, value: XmlValue, itemName: (plural: string) => string): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element(itemName(name), v, itemName)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v, itemName)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole document with the XML declaration. */
export function xmlDocument(root: string, value: XmlValue, itemName: (plural: string) => string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, itemName)}`;
}
