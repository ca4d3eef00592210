/**
 * The collapsed drawing of a model made of any registered layers (built-in and user-defined): one node
 * per layer, named as the model names it, with its output shape of any rank.
 */
import { randn, Rng } from '@chainrule/core';
import { dense, dropout, flatten, layerNorm, reshape, sequential } from '@chainrule/nn';
import { describe, expect, it } from 'vitest';
import { scaleShift } from '../../nn/test/fixtures/user-layers.ts';
import { toDot } from '../src/index.ts';
import { allNodes, attr } from './helpers/graph.ts';

describe('toDot of a model of any layers, collapsed', () => {
  it('draws every layer that computes, with its output shape', () => {
    const model = sequential([
      flatten(), dense(6, { activation: 'relu' }), reshape({ shape: [2, 3] }), layerNorm(), scaleShift({ name: 'ss' }), flatten(), dropout({ rate: 0.5 }), dense(2),
    ], { inputShape: [2, 2] });
    const y = model.apply(model.init(0), randn([4, 2, 2], { seed: 0 }), { training: true, rng: new Rng(0) }).sum();
    const layers = allNodes(toDot(y, { collapse: true })).filter((n) => n.id.startsWith('layer_'));
    expect(layers.map((n) => n.id)).toEqual(model.layers.map((l) => `layer_${l.name}`));
    const label = (name: string) => attr(layers.find((n) => n.id === `layer_${name}`)!, 'label');
    expect(label('reshape2')).toContain('out [4, 2, 3]');
    expect(label('ss')).toContain('gamma [3]');
    expect(label('ss')).toContain('out [4, 2, 3]');
    expect(label('dropout6')).toContain('out [4, 6]');
  });
});
