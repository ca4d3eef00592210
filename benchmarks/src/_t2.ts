import { fromData, recycle, randUniform, grad, noGrad, reuseBuffers } from '@chainrule/core';
import { mlp, sgd, objective } from '@chainrule/nn';
const POOL = 6400, B = 64, D = 784;
const x = randUniform([POOL, D], { low: 0, high: 1, seed: 1 }).data as Float32Array;
const labels = new Int32Array(POOL).map((_, i) => (i * 7919) % 10);
const model = mlp([784, 128, 64, 32, 10], { hidden: 'relu', output: 'softmax' });
const opt = sgd({ lr: 0.01 });
const f = objective(model, 'crossEntropy');
let params = model.init(1), state = opt.init(params);
const T = { fwd: 0, bwd: 0, upd: 0, item: 0 };
const run = (i: number) => {
  const n = Math.min(B, 60000 - i * B), start = (i * B) % POOL;
  const batch = { x: fromData(x.subarray(start * D, (start + n) * D), [n, D]), y: labels.subarray(start, start + n) };
  const r = reuseBuffers(() => {
    let t = performance.now();
    const { loss } = f(params, batch.x, batch.y);
    let t2 = performance.now(); T.fwd += t2 - t; t = t2;
    const grads = grad(loss, params) as any;
    t2 = performance.now(); T.bwd += t2 - t; t = t2;
    const next = noGrad(() => opt.update(params, grads, state));
    t2 = performance.now(); T.upd += t2 - t; t = t2;
    const l = loss.item();
    return { ...next, grads, loss: l };
  }, (r) => [...r.params.values(), ...r.grads.values()]);
  recycle(r.grads.values()); recycle(params.values());
  params = r.params; state = r.state; return r.loss;
};
for (let i = 0; i < 5; i++) run(i);
for (let rep = 0; rep < 3; rep++) { for (const k in T) (T as any)[k] = 0; const t0 = performance.now(); for (let i = 0; i < 938; i++) run(i); console.log('epoch', ((performance.now() - t0) / 1000).toFixed(3), Object.entries(T).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' ')); }
