/** A small core demo: the derivative of a tiny expression, checked against a numeric derivative. */
import { gradcheck, grad, scalar, tensor, matmul, backend } from '@chainrule/core';

const x = scalar(2, 'float64');
const y = x.mul(x).mul(x).add(x.sin()); // y = x³ + sin x
const [dy] = grad(y, [x]);
console.log(`y = x^3 + sin(x) at x = 2: y = ${y.item().toFixed(6)}, dy/dx = ${dy!.item().toFixed(6)} (3x^2 + cos x = ${(12 + Math.cos(2)).toFixed(6)})`);

const w = tensor([[0.5, -1], [2, 0.25]], { dtype: 'float64' });
const v = tensor([[1], [3]], { dtype: 'float64' });
gradcheck((a, b) => matmul(a!, b!).relu().sum(), [w, v]);
console.log(`gradcheck of relu(W·v).sum() passed (kernels: ${backend()})`);
