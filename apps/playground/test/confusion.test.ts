/** The MNIST view's counting: the confusion matrix of probabilities against labels, and the accuracy it gives. */
import { describe, expect, it } from 'vitest';
import { accuracyOf, confusionMatrix, predictedClass } from '../src/views/confusion.ts';

describe('confusion matrix', () => {
  // Three rows of three classes: guesses 2, 0 (a tie of 0 and 1 goes to the first) and 1.
  const probabilities = Float32Array.from([0.1, 0.2, 0.7, 0.4, 0.4, 0.2, 0.3, 0.6, 0.1]);
  const labels = Float32Array.from([2, 1, 1]);

  it('counts each row under its true class and its most probable class', () => {
    expect([0, 1, 2].map((i) => predictedClass(probabilities, i, 3))).toEqual([2, 0, 1]);
    expect(confusionMatrix(probabilities, labels, 3)).toEqual([[0, 0, 0], [1, 1, 0], [0, 0, 1]]);
  });

  it('gives the share on the diagonal as the accuracy', () => {
    expect(accuracyOf(confusionMatrix(probabilities, labels, 3))).toBeCloseTo(2 / 3, 12);
    expect(accuracyOf([[0, 0], [0, 0]])).toBe(0);
  });

  it('names the mismatch when there are not classes probabilities per label', () => {
    expect(() => confusionMatrix(probabilities, labels, 2)).toThrow('confusionMatrix: 9 probabilities for 3 labels of 2 classes; expected 6');
  });
});
