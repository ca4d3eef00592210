#!/usr/bin/env python3
"""Compares chainrule with PyTorch live (needs python3-torch; not part of npm test):

  python3 scripts/torch-compare.py [--seed N]

For small nets written both ways (Linear/ReLU/Tanh/Sigmoid/GELU(tanh), BatchNorm1d, LayerNorm, Dropout),
PyTorch's state_dict goes to chainrule through fromTorchStateDict, and both sides compute: eval predictions,
a training pass (outputs, batchNorm running statistics), MSE gradients, and three AdamW steps with a
parameter group (weight decay on weights only) and the first weight frozen (requires_grad_(False) in torch,
the update's `frozen` set in chainrule), read back with toTorchStateDict. Prints the worst relative error per
check and exits 1 when one exceeds its tolerance.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))

# chainrule's side, run by tsx: reads the job, writes what it computed (torch names throughout).
CHAINRULE = r"""
import { readFileSync, writeFileSync } from 'node:fs';
import { fromData, grad, type Tensor } from 'ROOT/packages/core/src/index.ts';
import {
  activationLayer, adamW, batchNorm, dense, dropout, flatten, fromTorchStateDict, layerNorm, mse, sequential, toTorchStateDict, type Params,
} from 'ROOT/packages/nn/src/index.ts';

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const asTensor = (t: { shape: number[]; data: number[] }, dtype: string) =>
  fromData(dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape);
const plain = (t: Tensor) => ({ shape: [...t.shape], data: Array.from(t.data) });
const out: Record<string, unknown> = {};
for (const c of job.cases) {
  const layers = c.layers.map(([kind, arg, act, useBias]: [string, number | string, string, boolean]) =>
    kind === 'dense' ? dense(arg as number, { activation: (act ?? 'linear') as never, useBias: useBias ?? true })
      : kind === 'batchNorm' ? batchNorm() : kind === 'layerNorm' ? layerNorm()
      : kind === 'dropout' ? dropout({ rate: arg as number }) : kind === 'flatten' ? flatten() : activationLayer(arg as never));
  const model = sequential(layers, { inputShape: c.shape, dtype: c.dtype });
  const { params, state } = fromTorchStateDict(model, c.state_dict);
  const x = asTensor(c.x, c.dtype), target = asTensor(c.target, c.dtype);
  const r: Record<string, unknown> = { eval: plain(model.apply(params, x, { state })) };
  if (c.train) {
    const pass = model.forward(params, x, { training: true, state });
    r.train = plain(pass.y);
    r.trainState = toTorchStateDict(model, params, pass.state);
    const loss = (p: Params, s: typeof state) => {
      const f = model.forward(p, x, { training: true, state: s });
      return { value: mse(f.y, target), state: f.state };
    };
    r.grads = toTorchStateDict(model, grad(loss(params, state).value, params) as Params, state);
    const opt = adamW({ lr: 1e-2, weightDecay: 0.1, groups: [{ params: /\/(b|gamma|beta)$/, weightDecay: 0 }] });
    const frozen = new Set([[...params.keys()].find((k) => k.endsWith('/w'))!]); // the first dense layer's W
    let p = params, s = state, o = opt.init(params);
    for (let i = 0; i < 3; i++) {
      const l = loss(p, s);
      ({ params: p, state: o } = opt.update(p, grad(l.value, p) as Params, o, undefined, { frozen }));
      s = l.state;
    }
    r.steps = toTorchStateDict(model, p, s);
  }
  out[c.name] = r;
}
writeFileSync(process.argv[3]!, JSON.stringify(out));
"""


def tensor_json(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype)[len('torch.'):], 'data': t.detach().flatten().tolist()}


def dict_json(d):
    return {k: tensor_json(t) for k, t in d.items()}


# name, torch modules, chainrule layers, dtype, whether training is compared (dropout's masks differ by design), sample shape
CASES = [
    ('relu mlp', lambda: [nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3)], [['dense', 16, 'relu'], ['dense', 3]], 'float32', True),
    ('tanh sigmoid gelu', lambda: [nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.GELU(approximate='tanh'), nn.Linear(8, 2)],
     [['dense', 8, 'tanh'], ['dense', 8, 'sigmoid'], ['dense', 8, 'gelu'], ['dense', 2]], 'float32', True),
    # No bias before the norm: its gradient is zero up to rounding, which Adam would turn into full-size steps.
    ('batchNorm', lambda: [nn.Linear(5, 16, bias=False), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3)],
     [['dense', 16, 'linear', False], ['batchNorm'], ['activation', 'relu'], ['dense', 3]], 'float32', True),
    ('layerNorm float64', lambda: [nn.Linear(5, 12), nn.LayerNorm(12), nn.Tanh(), nn.Linear(12, 2)],
     [['dense', 12], ['layerNorm'], ['activation', 'tanh'], ['dense', 2]], 'float64', True),
    ('dropout (eval)', lambda: [nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3)],
     [['dense', 16, 'relu'], ['dropout', 0.3], ['dense', 3]], 'float32', False),
    ('flatten [2, 3, 4]', lambda: [nn.Flatten(), nn.Linear(24, 8), nn.ReLU(), nn.Linear(8, 2)],
     [['flatten'], ['dense', 8, 'relu'], ['dense', 2]], 'float32', True, [2, 3, 4]),
]


def torch_side(make, dtype, seed, shape):
    torch.manual_seed(seed)
    net = nn.Sequential(*make()).to(getattr(torch, dtype))
    with torch.no_grad():  # norms away from their identity start
        for m in net:
            if isinstance(m, (nn.BatchNorm1d, nn.LayerNorm)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    x = torch.randn(12, *shape, dtype=getattr(torch, dtype)) * 1.5 + 0.5
    target = torch.randn(12, net[-1].out_features, dtype=x.dtype)
    start = dict_json(net.state_dict())
    net.eval()
    with torch.no_grad():
        r = {'eval': net(x)}
    net.train()
    y = net(x)
    r['train'] = y.detach()
    r['trainState'] = {k: v.clone() for k, v in net.state_dict().items()}
    # The gradients from the starting statistics: reload, since the pass above moved them.
    net.load_state_dict({k: torch.tensor(v['data'], dtype=getattr(torch, v['dtype'])).reshape(v['shape']) for k, v in start.items()})
    nn.functional.mse_loss(net(x), target).backward()
    r['grads'] = {k: p.grad.clone() for k, p in net.named_parameters()}
    net.load_state_dict({k: torch.tensor(v['data'], dtype=getattr(torch, v['dtype'])).reshape(v['shape']) for k, v in start.items()})
    net.zero_grad(set_to_none=True)
    next(m for m in net if isinstance(m, nn.Linear)).weight.requires_grad_(False)  # the first Linear's weight
    named = list(net.named_parameters())
    opt = torch.optim.AdamW([
        {'params': [p for k, p in named if k.endswith('weight') and p.dim() >= 2], 'weight_decay': 0.1},
        {'params': [p for k, p in named if not (k.endswith('weight') and p.dim() >= 2)], 'weight_decay': 0.0},
    ], lr=1e-2)
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        nn.functional.mse_loss(net(x), target).backward()
        opt.step()
    r['steps'] = dict(net.state_dict())
    return start, x, target, r


def worst(ours, theirs):
    """The largest |a − b| / (|b| + 0.01) over every value."""
    a = torch.tensor(ours['data'], dtype=torch.float64)
    b = theirs.detach().flatten().to(torch.float64)
    if list(ours['shape']) != list(theirs.shape):
        return float('inf')
    return ((a - b).abs() / (b.abs() + 0.01)).max().item() if b.numel() else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    cases, expected = [], {}
    for i, (name, make, layers, dtype, train, *shape) in enumerate(CASES):
        shape = shape[0] if shape else [5]
        start, x, target, r = torch_side(make, dtype, args.seed + i, shape)
        cases.append({'name': name, 'layers': layers, 'shape': shape, 'dtype': dtype, 'train': train,
                      'state_dict': start, 'x': tensor_json(x), 'target': tensor_json(target)})
        expected[name] = (dtype, train, r)
    with tempfile.TemporaryDirectory() as tmp:
        script, job, result = (os.path.join(tmp, n) for n in ('compare.ts', 'job.json', 'out.json'))
        with open(script, 'w') as f:
            f.write(CHAINRULE.replace('ROOT', ROOT))
        with open(job, 'w') as f:
            json.dump({'cases': cases}, f)
        subprocess.run(['npx', 'tsx', '--conditions=@chainrule/source', script, job, result], cwd=ROOT, check=True)
        with open(result) as f:
            ours = json.load(f)
    failed = False
    print(f'torch {torch.__version__}, seed {args.seed}: worst |chainrule − torch| / (|torch| + 0.01)')
    for name, (dtype, train, r) in expected.items():
        tol = {'float32': 1e-4, 'float64': 1e-10}[dtype]
        checks = [('eval', worst(ours[name]['eval'], r['eval']))]
        if train:
            checks.append(('train pass', worst(ours[name]['train'], r['train'])))
            checks += [(f'state {k}', worst(ours[name]['trainState'][k], v)) for k, v in r['trainState'].items() if 'running' in k or 'num_batches' in k]
            checks.append(max(((f'grads (worst: {k})', worst(ours[name]['grads'][k], g)) for k, g in r['grads'].items()), key=lambda c: c[1]))
            checks.append(max(((f'3 AdamW steps (worst: {k})', worst(ours[name]['steps'][k], v)) for k, v in r['steps'].items()), key=lambda c: c[1]))
        for check, err in checks:
            bad = not err <= tol
            failed |= bad
            print(f'  {name:20} {check:40} {err:.2e}{"  > " + format(tol, ".0e") if bad else ""}')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
