#!/usr/bin/env python3
"""Writes packages/nn/test/fixtures/torch/*.json: small PyTorch models' state_dicts (in the JSON form of
nn's toTorchStateDict / fromTorchStateDict) and their outputs on a few inputs, which torch-interop.test.ts
reproduces without PyTorch. Rerun after changing this file (python3-torch): python3 scripts/torch-fixture.py
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'nn', 'test', 'fixtures', 'torch')


def tensor_json(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype)[len('torch.'):], 'data': t.detach().flatten().tolist()}


def state_json(net):
    return {k: tensor_json(t) for k, t in net.state_dict().items()}


def write(name, record):
    record = {'torch': torch.__version__, 'script': 'scripts/torch-fixture.py', **record}
    with open(os.path.join(OUT, name), 'w') as f:  # one field a line: readable diffs, small files
        f.write('{\n' + ',\n'.join(f' {json.dumps(k)}: {json.dumps(v)}' for k, v in record.items()) + '\n}\n')


def mlp():
    """Linear-ReLU-Linear in eval mode: weights and predictions."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).eval()
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = net(x)
    write('mlp.json', {'model': 'Sequential(Linear(4, 8), ReLU(), Linear(8, 3))', 'state_dict': state_json(net),
                       'x': tensor_json(x), 'y': tensor_json(y)})


def batch_norm():
    """Linear-BatchNorm1d-ReLU-Linear: a training-mode pass (batch statistics, running ones updated), then eval."""
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    with torch.no_grad():
        net[1].weight.uniform_(0.5, 1.5)
        net[1].bias.uniform_(-0.5, 0.5)
        net.train()
        for _ in range(2):  # running statistics away from their start
            net(torch.randn(6, 4) * 2 + 1)
        before = state_json(net)
        x_train = torch.randn(6, 4) * 2 + 1
        y_train = net(x_train)
        after = state_json(net)
        net.eval()
        x = torch.randn(5, 4)
        y = net(x)
    write('batchnorm.json', {
        'model': 'Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3))',
        'before': before, 'x_train': tensor_json(x_train), 'y_train': tensor_json(y_train),
        'state_dict': after, 'x': tensor_json(x), 'y': tensor_json(y),
    })


def layer_norm():
    """Linear-LayerNorm-Tanh-Linear in eval mode, float64."""
    torch.manual_seed(2)
    net = nn.Sequential(nn.Linear(3, 6), nn.LayerNorm(6), nn.Tanh(), nn.Linear(6, 2)).double().eval()
    with torch.no_grad():
        net[1].weight.uniform_(0.5, 1.5)
        net[1].bias.uniform_(-0.5, 0.5)
        x = torch.randn(4, 3, dtype=torch.float64)
        y = net(x)
    write('layernorm.json', {'model': 'Sequential(Linear(3, 6), LayerNorm(6), Tanh(), Linear(6, 2)).double()',
                             'state_dict': state_json(net), 'x': tensor_json(x), 'y': tensor_json(y)})


def cnn():
    """Conv2d-ReLU-MaxPool2d-Flatten-Linear on 2-channel 7×7 images ('same' padding) in eval mode."""
    torch.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 3)).eval()
    x = torch.randn(5, 2, 7, 7)
    with torch.no_grad():
        y = net(x)
    write('cnn.json', {'model': 'Sequential(Conv2d(2, 4, 3, padding=1), ReLU(), MaxPool2d(2), Flatten(), Linear(36, 3))',
                       'state_dict': state_json(net), 'x': tensor_json(x), 'y': tensor_json(y)})


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    mlp()
    batch_norm()
    layer_norm()
    cnn()
    print('wrote', sorted(os.listdir(OUT)))
