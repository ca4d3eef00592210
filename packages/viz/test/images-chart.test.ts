/** imagesChart: filters in a diverging scale, feature maps in grey, one caption per image, bad input named. */
import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { chartSvg, imagesChart } from '../src/index.ts';
import { parseSvg, svgTexts } from './helpers/xml.ts';

/** The fill colours of the pixel rectangles, as '#rrggbb'. */
const fills = (svg: string): string[] => [...svg.matchAll(/aria-roledescription="rect mark"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]!);

describe('imagesChart', () => {
  it('draws signed images red above zero and blue below, with a caption each', async () => {
    const svg = await chartSvg(imagesChart({ images: [[1, 0, 0, 1], [-1, 0, 0, -0.5]], height: 2, captions: ['plus', 'minus'], title: 'filters' }));
    parseSvg(svg);
    const texts = svgTexts(svg);
    for (const t of ['filters', 'plus', 'minus', 'red: positive, blue: negative, white: zero']) expect(texts).toContain(t);
    const colours = fills(svg);
    expect(colours).toContain('#ff0000'); // +1, the largest magnitude: full red
    expect(colours).toContain('#0000ff'); // −1: full blue
    expect(colours).toContain('#8080ff'); // −0.5: half way to blue
    expect(colours.filter((c) => c === '#ffffff')).toHaveLength(0); // zeros are not drawn: the white frame shows
  });

  it('draws non-negative images (activations) in grey, each to its own range with scale "each"', async () => {
    const maps = tensor([[[0, 2], [0, 0]], [[0, 0.1], [0, 0]]]); // [n, h, w]: the second map is 20× fainter
    const shared = fills(await chartSvg(imagesChart({ images: maps, height: 2 })));
    const each = fills(await chartSvg(imagesChart({ images: maps, height: 2, scale: 'each' })));
    expect(shared).toEqual(['#000000']); // the faint one rounds to white on the shared scale
    expect(each).toEqual(['#000000', '#000000']);
  });

  it('takes width for rectangular images and captions default to the index', async () => {
    const texts = svgTexts(await chartSvg(imagesChart({ images: new Float32Array(12), height: 2, width: 3 })));
    expect(texts).toContain('0');
    expect(texts).toContain('1');
    expect(texts).toContain('2 images');
  });

  it('names what is wrong', () => {
    expect(() => imagesChart({ images: [1, 2, 3], height: 2 })).toThrow('imagesChart: images has 3 values, not a whole number of 2×2 images');
    expect(() => imagesChart({ images: [[1, 2, 3]], height: 2 })).toThrow('imagesChart: image 0 has 3 pixels, expected 2×2 = 4');
    expect(() => imagesChart({ images: [1, 2, 3, 4], height: 2, captions: ['a', 'b'] })).toThrow('imagesChart: 1 images but 2 captions; give one caption per image');
    expect(() => imagesChart({ images: [1, NaN, 3, 4], height: 2 })).toThrow(/imagesChart: images/);
    expect(() => imagesChart({ images: [1, 2, 3, 4] } as never)).toThrow('imagesChart: height is required');
    expect(() => imagesChart({ images: new Float32Array(257), height: 1 })).toThrow('imagesChart: 257 images are too many to draw (at most 256); pass a slice');
    expect(() => imagesChart({ images: [1], height: 1, scale: 'log' as never })).toThrow("imagesChart: scale must be 'shared' or 'each', got log");
  });
});
