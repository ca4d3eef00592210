/**
 * The confusion matrix of class probabilities against true labels: counts[true][predicted], where the
 * prediction is each row's most probable class (the first of equals, as accuracy takes it).
 */
export function confusionMatrix(probabilities: Float32Array, labels: Float32Array, classes: number): number[][] {
  if (probabilities.length !== labels.length * classes) {
    throw new Error(`confusionMatrix: ${probabilities.length} probabilities for ${labels.length} labels of ${classes} classes; expected ${labels.length * classes}`);
  }
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]![predictedClass(probabilities, i, classes)]!++;
  return counts;
}

/** Row i's most probable class. */
export function predictedClass(probabilities: Float32Array, i: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
  return best;
}

/** The share of the matrix on its diagonal. */
export function accuracyOf(counts: readonly (readonly number[])[]): number {
  let right = 0;
  let all = 0;
  counts.forEach((row, t) => row.forEach((n, p) => { all += n; if (t === p) right += n; }));
  return all === 0 ? 0 : right / all;
}
