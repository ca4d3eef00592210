/** SVG must be well-formed XML: checked with fast-xml-parser's validator, then parsed for attributes. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

export function parseSvg(svg: string): Record<string, any> {
  const valid = XMLValidator.validate(svg);
  expect(valid, typeof valid === 'object' ? `${valid.err.msg} at line ${valid.err.line}` : '').toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(svg);
  expect(doc.svg).toBeDefined();
  return doc.svg;
}

/** Every text the SVG shows (hidden ones, opacity 0, left out), in document order, spaces normalised. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)]
    .filter((m) => !/opacity="0"/.test(m[1]!))
    .map((m) => m[2]!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(+code)).replace(/&nbsp;|\u00a0/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim())
    .filter(Boolean);
}
