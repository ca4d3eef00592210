"""Writes packages/core/test/fixtures/torch-conv.json: conv2d, max_pool2d and avg_pool2d cases computed by
PyTorch in float64, each with its inputs, a cotangent g for the output, the output and the gradients of
sum(out * g). conv.test.ts checks chainrule against them.

Run from the repository root: /usr/bin/python3 scripts/torch-conv-fixture.py (PyTorch 1.13 or later).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(19)
torch.set_default_dtype(torch.float64)


def flat(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def conv_case(name, x_shape, w_shape, bias, **options):
    x = torch.randn(*x_shape, requires_grad=True)
    w = torch.randn(*w_shape, requires_grad=True)
    b = torch.randn(w_shape[0], requires_grad=True) if bias else None
    out = F.conv2d(x, w, b, **options)
    g = torch.randn(*out.shape)
    grads = torch.autograd.grad((out * g).sum(), [x, w] + ([b] if bias else []))
    case = {"name": name, "options": options, "x": flat(x), "w": flat(w), "g": flat(g), "out": flat(out), "dx": flat(grads[0]), "dw": flat(grads[1])}
    if bias:
        case["bias"] = flat(b)
        case["dbias"] = flat(grads[2])
    return case


def pool_case(name, fn, x_shape, **options):
    x = torch.randn(*x_shape, requires_grad=True)
    out = fn(x, **options)
    g = torch.randn(*out.shape)
    (dx,) = torch.autograd.grad((out * g).sum(), [x])
    return {"name": name, "options": options, "x": flat(x), "g": flat(g), "out": flat(out), "dx": flat(dx)}


conv = [
    conv_case("plain 3x3", [2, 3, 6, 5], [4, 3, 3, 3], True),
    conv_case("stride 2, padding 1", [2, 2, 7, 6], [3, 2, 3, 3], True, stride=2, padding=1),
    conv_case("stride (2, 1), padding (0, 2)", [1, 2, 6, 5], [2, 2, 2, 3], False, stride=(2, 1), padding=(0, 2)),
    conv_case("dilation 2", [2, 1, 7, 7], [2, 1, 3, 3], True, dilation=2, padding=1),
    conv_case("groups 2", [2, 4, 5, 5], [6, 2, 3, 3], True, groups=2, padding=1),
    conv_case("depthwise, groups 3", [1, 3, 5, 4], [3, 1, 3, 3], False, groups=3),
    conv_case("same, odd kernel", [2, 2, 5, 5], [3, 2, 3, 3], True, padding="same"),
    conv_case("same, even kernel", [1, 2, 5, 6], [2, 2, 2, 4], False, padding="same"),
    conv_case("same, dilation 2", [1, 1, 6, 6], [2, 1, 3, 2], True, padding="same", dilation=2),
    conv_case("5x5 like LeNet", [3, 1, 12, 12], [4, 1, 5, 5], True),
]
pool = [
    pool_case("max 2x2", F.max_pool2d, [2, 3, 6, 6], kernel_size=2),
    pool_case("max 3x3 stride 2 padding 1", F.max_pool2d, [2, 2, 7, 6], kernel_size=3, stride=2, padding=1),
    pool_case("max (2, 3) stride 1", F.max_pool2d, [1, 2, 5, 6], kernel_size=(2, 3), stride=1),
    pool_case("avg 2x2", F.avg_pool2d, [2, 3, 6, 6], kernel_size=2),
    pool_case("avg 3x3 stride 2 padding 1", F.avg_pool2d, [2, 2, 7, 6], kernel_size=3, stride=2, padding=1),
    pool_case("avg (3, 2) stride (1, 2)", F.avg_pool2d, [1, 2, 5, 6], kernel_size=(3, 2), stride=(1, 2)),
]

for case in pool:
    case["op"] = "maxPool2d" if case["name"].startswith("max") else "avgPool2d"

path = os.path.join(os.path.dirname(__file__), "..", "packages", "core", "test", "fixtures", "torch-conv.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "conv2d": conv, "pool": pool}, f)
    f.write("\n")
print(f"wrote {len(conv)} conv2d and {len(pool)} pooling cases to {os.path.normpath(path)}")
