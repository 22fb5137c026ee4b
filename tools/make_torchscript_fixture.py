#!/usr/bin/env python3
"""Builds the TorchScript test fixtures for TorchScriptClassifier.

Uses Debian's torch (apt-get install python3-torch); only for making fixtures, never needed at run time.
Writes into preempt-core/src/test/resources/torchscript/:

  tiny_cnn.pt           small CIFAR-shaped CNN (conv-BN-ReLU x2, linear head, 10 classes), scripted,
                        WITHOUT normalisation inside; the Java adapter normalises with the side-car
  tiny_cnn.json         side-car: mean, std, input_shape, classes
  tiny_cnn_selfnorm.pt  the same network with CIFAR-10 normalisation inside; no side-car. Saved in
                        TRAIN mode on purpose: it only reproduces the expected logits if the adapter
                        switches the module to eval mode (BatchNorm running statistics)
  wrong_classes.pt      a CNN with 7 outputs, for the class-count error test
  expected.json         a fixed input batch (flat, NCHW, [0,1]), labels, expected logits, and the
                        gradient of sum(cross-entropy) w.r.t. the [0,1] input, normalisation included

Usage: /usr/bin/python3 tools/make_torchscript_fixture.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "preempt-core", "src", "test",
                   "resources", "torchscript")
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.2023, 0.1994, 0.2010]
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
LABELS = [3, 7]


class TinyCnn(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 8 * 8, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


class SelfNorm(nn.Module):
    def __init__(self, core: nn.Module):
        super().__init__()
        self.core = core
        self.register_buffer("mean", torch.tensor(MEAN, dtype=torch.float32).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD, dtype=torch.float32).reshape(1, 3, 1, 1))

    def forward(self, x):
        return self.core((x - self.mean) / self.std)


def warm_up_batchnorm(model: nn.Module, gen: torch.Generator):
    """Runs a few train-mode passes on shifted random data so running mean/var are far from 0/1."""
    model.train()
    with torch.no_grad():
        for _ in range(5):
            model(torch.rand(16, 3, 32, 32, generator=gen) * 3.0 + 0.5)
    model.eval()


def normalise(x):
    mean = torch.tensor(MEAN, dtype=torch.float32).reshape(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).reshape(1, 3, 1, 1)
    return (x - mean) / std


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(99)

    core = TinyCnn(10)
    warm_up_batchnorm(core, gen)
    scripted = torch.jit.script(core.eval())
    scripted.save(os.path.join(OUT, "tiny_cnn.pt"))
    with open(os.path.join(OUT, "tiny_cnn.json"), "w") as f:
        json.dump({"mean": MEAN, "std": STD, "input_shape": [3, 32, 32], "classes": CLASSES}, f, indent=2)

    selfnorm = torch.jit.script(SelfNorm(core))
    selfnorm.train()  # deliberately saved in train mode: the adapter must switch it to eval
    selfnorm.save(os.path.join(OUT, "tiny_cnn_selfnorm.pt"))
    selfnorm.eval()

    wrong = TinyCnn(7)
    warm_up_batchnorm(wrong, gen)
    torch.jit.script(wrong.eval()).save(os.path.join(OUT, "wrong_classes.pt"))

    # Expected values, computed exactly as the Java side does: normalise, forward, CE, d/dx.
    loaded = torch.jit.load(os.path.join(OUT, "tiny_cnn.pt")).eval()
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(7), dtype=torch.float32)
    xg = x.clone().requires_grad_(True)
    logits = loaded(normalise(xg))
    loss = F.cross_entropy(logits, torch.tensor(LABELS), reduction="sum")
    (grad,) = torch.autograd.grad(loss, xg)
    with torch.no_grad():
        selfnorm_logits = torch.jit.load(os.path.join(OUT, "tiny_cnn_selfnorm.pt")).eval()(x)
        train_mode_logits = loaded.train()(normalise(x))
    assert not torch.allclose(train_mode_logits, logits), "BatchNorm statistics should matter"
    expected = {
        "shape": [2, 3, 32, 32],
        "input": flat(x),
        "labels": LABELS,
        "logits": flat(logits),
        "selfnorm_logits": flat(selfnorm_logits),
        "loss_sum": float(loss),
        "grad": flat(grad),
        "torch_version": torch.__version__,
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    for name in ["tiny_cnn.pt", "tiny_cnn_selfnorm.pt", "wrong_classes.pt", "expected.json"]:
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")
    print("logits", logits.detach().numpy().round(4))
    print("max |grad|", float(grad.abs().max()), "max |selfnorm - logits|",
          float((selfnorm_logits - logits).abs().max()))


if __name__ == "__main__":
    main()
