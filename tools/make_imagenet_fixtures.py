#!/usr/bin/env python3
"""Builds ImageNet-shaped (3x224x224, 1000 classes) TorchScript models with their side-car JSON.

No pretrained ImageNet weights are reachable from the build machines, so these models have SEEDED RANDOM
weights: they exercise shapes, memory and speed at 224 px, never accuracy. The BatchNorm running
statistics are calibrated on a few batches of smooth random images (train-mode forward passes, no
gradient step), so activations keep a sane scale in eval mode.

  resnet50  torchvision's ResNet-50 (25.6 M parameters, ~98 MB). NOT committed: written by default to
            models/resnet50-random/ (git-ignored). Use it with --model models/resnet50-random/resnet50.pt
  tiny224   a small CNN that takes exactly 3x224x224 (< 1 MB) for the CI test, written to
            preempt-cli/src/test/resources/imagenet/tiny224.pt

Each .pt gets a side-car NAME.json: ImageNet mean/std, input_shape [3,224,224], the 1000 ImageNet class
names shipped with torchvision (class_0..class_999 if torchvision is missing), and
"preprocess": {"resize": 256, "crop": 224} (the server-side pipeline: resize the short side to 256,
centre-crop 224).

Uses Debian's torch/torchvision (apt-get install python3-torch python3-torchvision); build-time only.
Same seed -> same weights; with PYTHONHASHSEED=0 also the same bytes (TorchScript writes its generated
code's constants in set order).
Usage: PYTHONHASHSEED=0 /usr/bin/python3 tools/make_imagenet_fixtures.py resnet50 [--out DIR] [--seed N]
       PYTHONHASHSEED=0 /usr/bin/python3 tools/make_imagenet_fixtures.py tiny224 [--out DIR] [--seed N]
"""
import argparse
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
INPUT = [3, 224, 224]


def imagenet_classes():
    """The 1000 ImageNet class names as torchvision ships them (no download), else class_0..class_999."""
    try:
        from torchvision.models import ResNet50_Weights
        names = list(ResNet50_Weights.IMAGENET1K_V2.meta["categories"])
        if len(names) == 1000:
            return names, "torchvision ResNet50_Weights.IMAGENET1K_V2.meta['categories']"
    except ImportError:
        pass
    return ["class_%d" % i for i in range(1000)], "placeholders class_0..class_999"


class Tiny224(nn.Module):
    """conv(7, stride 4)-BN-ReLU, conv(3, stride 2)-BN-ReLU, 4x4 average pool, two linear layers to 1000
    classes. The flatten makes it accept exactly 224x224 inputs, so a wrong input size fails loudly."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 7, stride=4, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, 1000)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.avg_pool2d(F.relu(self.bn2(self.conv2(x))), 4)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def smooth_images(n, gen):
    """n random images in [0,1], smooth like photos: 7x7 noise upsampled bicubically, plus fine noise."""
    coarse = torch.rand(n, 3, 7, 7, generator=gen)
    x = F.interpolate(coarse, size=INPUT[1:], mode="bicubic", align_corners=False)
    x = x + 0.05 * torch.randn(n, *INPUT, generator=gen)
    return x.clamp(0, 1)


def normalise(x):
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def calibrate_batchnorm(model, gen, batches, batch_size):
    """Train-mode forward passes (running statistics only, momentum=None: a plain average)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(normalise(smooth_images(batch_size, gen)))
    model.eval()


def export(model, out_dir, name, seed, description, gen):
    os.makedirs(out_dir, exist_ok=True)
    scripted = torch.jit.script(model.eval())
    pt = os.path.join(out_dir, name + ".pt")
    scripted.save(pt)
    classes, source = imagenet_classes()
    side = {
        "description": description + " Seed %d. Class names: %s." % (seed, source),
        "mean": MEAN,
        "std": STD,
        "input_shape": INPUT,
        "classes": classes,
        "preprocess": {"resize": 256, "crop": 224},
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(side, f, indent=1)
    with torch.no_grad():
        logits = torch.jit.load(pt)(normalise(smooth_images(8, gen)))
    top = logits.argmax(1).tolist()
    print("%s: %d bytes; logits std %.3f; top-1 of 8 random images %s" % (pt, os.path.getsize(pt),
                                                                          float(logits.std()), top))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", choices=["resnet50", "tiny224"])
    p.add_argument("--out", help="output folder")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed + 1)
    if a.model == "resnet50":
        import torchvision
        model = torchvision.models.resnet50(weights=None)
        calibrate_batchnorm(model, gen, batches=4, batch_size=8)
        export(model, a.out or os.path.join(ROOT, "models", "resnet50-random"), "resnet50", a.seed,
               "torchvision ResNet-50 architecture with SEEDED RANDOM weights (not trained; BatchNorm statistics"
               " calibrated on random smooth images): for speed, memory and shape tests only.", gen)
    else:
        model = Tiny224()
        calibrate_batchnorm(model, gen, batches=4, batch_size=8)
        export(model, a.out or os.path.join(ROOT, "preempt-cli", "src", "test", "resources", "imagenet"),
               "tiny224", a.seed, "A small 224-input CNN with SEEDED RANDOM weights, ImageNet-shaped (1000 classes),"
               " for the CI test of the 224-px path.", gen)


if __name__ == "__main__":
    main()
