"""Draws the documentation's pictures with matplotlib (Agg) from real runs of
the layers; ``bin/docs`` runs it before Sphinx, into docs/_generated/.

    .venv/bin/python docs/pictures.py [--out docs/_generated] [--backend jvm|numpy]

masks.png           one RGB image through every layer, training and evaluate
noise.png           GaussianDropout's factors and GaussianNoise's offsets against their densities
keep_fraction.png   fraction of elements Dropout keeps vs p, over many draws
regularization.png  the digits MLP without and with Dropout (examples/regularization.py)
mc_dropout.png      Monte Carlo dropout on that dropout model (examples/mc_dropout.py)
alpha.png           AlphaDropout on SELU activations: the distribution before and after, and FeatureAlphaDropout on the image
noise_shape.png     Dropout's keep mask on a (time, feature) input with and without noise_shape, and SpatialDropout1D's

Each picture also writes a ``.txt`` beside it with the figures it shows, so a
page can quote them. Seeds are fixed: the same pixels on every run.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from bigdl_reg import nn  # noqa: E402


def rgb_image(size: int = 48) -> np.ndarray:
    """A synthetic (H, W, 3) picture in [0, 1]: a red disc, a green square, a blue ramp."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    red = ((xx - 0.35) ** 2 + (yy - 0.4) ** 2 < 0.07).astype(np.float32)
    green = ((abs(xx - 0.65) < 0.22) & (abs(yy - 0.62) < 0.22)).astype(np.float32) * 0.9
    blue = (0.25 + 0.6 * xx * (1 - yy)).astype(np.float32)
    return np.stack([red, green, blue], axis=-1).astype(np.float32)


SEED = 1  # masks.png: with it SpatialDropout2D drops one of the three colour planes


def masks(out: Path, backend) -> str:
    image = rgb_image()
    nhwc = image[None]  # (1, H, W, 3)
    nchw = np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2))  # (1, 3, H, W)
    columns = [
        ("Dropout(0.5)", lambda: nn.Dropout(0.5, seed=SEED, backend=backend), nhwc, "NHWC"),
        ("SpatialDropout2D(0.5)\nNCHW input", lambda: nn.SpatialDropout2D(0.5, "NCHW", seed=SEED, backend=backend), nchw, "NCHW"),
        ("SpatialDropout2D(0.5)\nNHWC input", lambda: nn.SpatialDropout2D(0.5, "NHWC", seed=SEED, backend=backend), nhwc, "NHWC"),
        ("GaussianDropout(0.5)", lambda: nn.GaussianDropout(0.5, seed=SEED, backend=backend), nhwc, "NHWC"),
        ("GaussianNoise(0.2)", lambda: nn.GaussianNoise(0.2, seed=SEED, backend=backend), nhwc, "NHWC"),
    ]
    fig, axes = plt.subplots(2, len(columns) + 1, figsize=(2.3 * (len(columns) + 1), 5.0))
    axes[0, 0].set_title("input", fontsize=9)
    for row, mode in enumerate(("training", "evaluate")):
        axes[row, 0].imshow(image)
        axes[row, 0].set_ylabel(mode, fontsize=10)
    notes = []
    for col, (title, make, x, layout) in enumerate(columns, start=1):
        with make() as layer:
            trained = layer.forward(x)
            evaluated = layer.evaluate().forward(x)
        axes[0, col].set_title(title, fontsize=9)
        for row, y in enumerate((trained, evaluated)):
            picture = y[0] if layout == "NHWC" else y[0].transpose(1, 2, 0)
            axes[row, col].imshow(np.clip(picture, 0, 1))
        kept = [bool(np.any((trained[0] if layout == "NHWC" else trained[0].transpose(1, 2, 0))[..., c]))
                for c in range(3)]
        channels = ", ".join(name for name, k in zip("RGB", kept) if k) or "none"
        notes.append(f"{title.replace(chr(10), ' '):<34} colour planes with a non-zero pixel in training: {channels}")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"One RGB image through each layer (seed {SEED}); values clipped to [0, 1] for display", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "masks.png", dpi=90)
    plt.close(fig)
    return "\n".join(notes)


def noise(out: Path, backend) -> str:
    n, rate, stddev = 400_000, 0.3, 0.5
    sd = math.sqrt(rate / (1 - rate))
    with nn.GaussianDropout(rate, bigdl_type="double", seed=11, backend=backend) as gd:
        factors = gd.forward(np.ones(n))
    with nn.GaussianNoise(stddev, bigdl_type="double", seed=12, backend=backend) as gn:
        offsets = gn.forward(np.zeros(n))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, values, mean, scale, title in (
        (axes[0], factors, 1.0, sd, f"GaussianDropout(rate={rate}): y / x\nexpected N(1, {sd:.4f}²)"),
        (axes[1], offsets, 0.0, stddev, f"GaussianNoise(stddev={stddev}): y - x\nexpected N(0, {stddev}²)"),
    ):
        ax.hist(values, bins=120, density=True, color="tab:blue", alpha=0.6, label=f"{n:,} draws")
        grid = np.linspace(mean - 5 * scale, mean + 5 * scale, 400)
        ax.plot(grid, np.exp(-0.5 * ((grid - mean) / scale) ** 2) / (scale * math.sqrt(2 * math.pi)),
                color="black", lw=1.2, label="density")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "noise.png", dpi=90)
    plt.close(fig)
    return (f"GaussianDropout(rate={rate}) factors: mean {factors.mean():.5f} (expected 1), "
            f"std {factors.std():.5f} (expected {sd:.5f})\n"
            f"GaussianNoise(stddev={stddev}) offsets: mean {offsets.mean():.5f} (expected 0), "
            f"std {offsets.std():.5f} (expected {stddev})")


def keep_fraction(out: Path, backend) -> str:
    ps = np.round(np.linspace(0, 1, 21), 2)
    size, draws = 20_000, 25
    x = np.ones(size, np.float32)
    fractions = []
    with nn.Dropout(0.5, seed=5, backend=backend) as layer:
        for p in ps:
            layer.set_p(float(p))
            fractions.append([np.count_nonzero(layer.forward(x)) / size for _ in range(draws)])
    fractions = np.array(fractions)
    fig, (ax, dev) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot([0, 1], [1, 0], color="black", lw=1, label="1 - p")
    ax.plot(ps, fractions.mean(1), "o", ms=4, color="tab:red", label=f"kept fraction, mean of {draws} draws")
    ax.set(xlabel="p (init_p)", ylabel=f"fraction of {size:,} elements kept", title="Dropout keeps 1 - p of the elements")
    # each draw is Binomial(size, 1 - p) / size: its standard deviation is sqrt(p (1 - p) / size)
    sigma = np.sqrt(ps * (1 - ps) / size)
    dev.fill_between(ps, -2 * sigma, 2 * sigma, color="tab:gray", alpha=0.3, label="±2σ of a binomial draw")
    for d in range(draws):
        dev.plot(ps, fractions[:, d] - (1 - ps), ".", ms=3, color="tab:red", alpha=0.5,
                 label="kept fraction - (1 - p), each draw" if d == 0 else None)
    dev.axhline(0, color="black", lw=1)
    dev.set(xlabel="p (init_p)", ylabel="deviation from 1 - p", title="every draw, against the binomial spread")
    for a in (ax, dev):
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "keep_fraction.png", dpi=90)
    plt.close(fig)
    inside = np.mean(np.abs(fractions - (1 - ps[:, None])) <= 2 * sigma[:, None])
    worst = np.abs(fractions - (1 - ps[:, None])).max()
    return (f"{len(ps)} values of p, {draws} draws of {size} elements each\n"
            f"largest |kept fraction - (1 - p)|: {worst:.4f}\n"
            f"draws within 2 binomial sigmas: {inside:.1%} (95.4% expected)\n"
            f"p = 0 keeps {fractions[0].min():.0%} in every draw, p = 1 keeps {fractions[-1].max():.0%}")


def regularization(out: Path, backend) -> str:
    """regularization.png, and mc_dropout.png from the same dropout model."""
    from dataclasses import replace

    from digits_mlp import Config, load_digits_split, plot_curves, train

    data = load_digits_split()
    plain = train(replace(Config(), backend=backend), data)
    dropout, model = train(replace(Config(input_p=0.2, hidden_p=0.5), backend=backend), data, keep_model=True)
    try:
        mc_summary = mc_dropout(out, model, data)
    finally:
        model.close()
    plot_curves([("no dropout", plain), ("dropout 0.2/0.5", dropout)], out / "regularization.png")
    rows = [f"after {len(plain.train_acc)} epochs   train acc  test acc     gap  train loss  test loss"]
    for label, h in (("no dropout", plain), ("dropout 0.2/0.5", dropout)):
        rows.append(f"{label:<20}{h.train_acc[-1]:>10.4f}{h.test_acc[-1]:>10.4f}{h.gap:>8.4f}"
                    f"{h.train_loss[-1]:>12.4f}{h.test_loss[-1]:>11.4f}")
    (out / "mc_dropout.txt").write_text(mc_summary + "\n")
    return "\n".join(rows)


def mc_dropout(out: Path, model, data, samples: int = 100) -> str:
    """examples/mc_dropout.py on a trained model: entropy histograms and the most uncertain digits."""
    from mc_dropout import auroc, mc_predict, uncertainty

    x_test, y_test = data[2], data[3]
    mean, std = mc_predict(model, x_test, samples)
    predicted, spread, entropy = uncertainty(mean, std)
    wrong = predicted != y_test
    top = np.argsort(-entropy)[:10]
    fig = plt.figure(figsize=(11, 4))
    hist = fig.add_axes([0.06, 0.14, 0.36, 0.74])
    bins = np.linspace(0, entropy.max(), 30)
    hist.hist(entropy[~wrong], bins=bins, density=True, alpha=0.6, color="tab:blue", label=f"correct ({(~wrong).sum()})")
    hist.hist(entropy[wrong], bins=bins, density=True, alpha=0.6, color="tab:red", label=f"misclassified ({wrong.sum()})")
    hist.set(xlabel="entropy of the mean prediction (nats)", ylabel="density",
             title=f"Monte Carlo dropout, {samples} forwards per test digit")
    hist.legend(fontsize=8)
    for k, i in enumerate(top):
        ax = fig.add_axes([0.48 + 0.1 * (k % 5), 0.52 - 0.44 * (k // 5), 0.085, 0.34])
        ax.imshow(x_test[i].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"true {y_test[i]}, said {predicted[i]}\np={mean[i, predicted[i]]:.2f}±{spread[i]:.2f}",
                     fontsize=8, color="tab:red" if wrong[i] else "black")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.text(0.73, 0.95, "the 10 most uncertain test digits (red: misclassified)", ha="center", fontsize=10)
    fig.savefig(out / "mc_dropout.png", dpi=90)
    plt.close(fig)
    return (f"{len(y_test)} test digits, {samples} stochastic forwards each\n"
            f"{'':<22}{'count':>6}{'spread':>9}{'entropy':>9}   (means)\n"
            + "".join(f"{label:<22}{rows.sum():>6}{spread[rows].mean():>9.4f}{entropy[rows].mean():>9.4f}\n"
                      for label, rows in (("correctly classified", ~wrong), ("misclassified", wrong)))
            + f"AUROC of the entropy (misclassified vs correct): {auroc(entropy[wrong], entropy[~wrong]):.3f}\n"
            f"misclassified among the 20 most uncertain: {wrong[np.argsort(-entropy)[:20]].sum()} "
            f"(test set error rate {wrong.mean():.1%})")


SELU_LAMBDA, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772


def alpha(out: Path, backend) -> str:
    n, p = 400_000, 0.2
    z = np.random.default_rng(21).standard_normal(n)
    selu = np.where(z > 0, SELU_LAMBDA * z, SELU_LAMBDA * SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    with nn.AlphaDropout(p, bigdl_type="double", seed=22, backend=backend) as layer:
        y = layer.forward(selu)
        kept = layer.noise()
    image = np.ascontiguousarray(rgb_image()[None].transpose(0, 3, 1, 2))  # (1, 3, H, W)
    with nn.FeatureAlphaDropout(0.5, seed=SEED, backend=backend) as layer:
        maps = layer.forward(image)[0].transpose(1, 2, 0)
        channel_kept = layer.noise().ravel().tolist()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [2, 1, 1]})
    bins = np.linspace(-2, 4, 121)
    axes[0].hist(selu, bins=bins, density=True, alpha=0.5, label=f"SELU(z): mean {selu.mean():.3f}, var {selu.var():.3f}")
    axes[0].hist(y, bins=bins, density=True, alpha=0.5,
                 label=f"AlphaDropout({p}): mean {y.mean():.3f}, var {y.var():.3f}")
    axes[0].set_title(f"AlphaDropout keeps mean 0 and variance 1 ({n:,} SELU activations)", fontsize=10)
    axes[0].legend(fontsize=8)
    axes[1].imshow(image[0].transpose(1, 2, 0))
    axes[1].set_title("input (NCHW)", fontsize=9)
    axes[2].imshow(np.clip(maps, 0, 1))
    axes[2].set_title(f"FeatureAlphaDropout(0.5), seed {SEED}\nchannels kept: {channel_kept}", fontsize=9)
    for ax in axes[1:]:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(out / "alpha.png", dpi=90)
    plt.close(fig)
    return (f"AlphaDropout({p}) on {n} SELU activations: input mean {selu.mean():.4f} var {selu.var():.4f}; "
            f"output mean {y.mean():.4f} var {y.var():.4f}; kept {kept.mean():.4f} of the cells\n"
            f"FeatureAlphaDropout(0.5) seed {SEED}: channels kept {channel_kept}")


def noise_shape(out: Path, backend) -> str:
    steps, features = 12, 16
    x = np.ones((1, steps, features), np.float32)
    layers = [
        ("Dropout(0.5)\nnoise shape (1, 12, 16)", nn.Dropout(0.5, seed=3, backend=backend)),
        ("Dropout(0.5, noise_shape=(None, 1, None))\nnoise shape (1, 1, 16)",
         nn.Dropout(0.5, seed=3, backend=backend, noise_shape=(None, 1, None))),
        ("SpatialDropout1D(0.5)\n= Dropout(scale=False, same noise_shape)", nn.SpatialDropout1D(0.5, seed=3, backend=backend)),
    ]
    fig, axes = plt.subplots(1, len(layers), figsize=(4.2 * len(layers), 3.6))
    notes = []
    for ax, (title, layer) in zip(axes, layers):
        with layer:
            y = layer.forward(x)[0]
            notes.append(f"{title.splitlines()[0]}: noise() shape {layer.noise().shape}, {int((y != 0).sum())} of "
                         f"{y.size} elements kept")
        ax.imshow(y, cmap="Greys_r", vmin=0, vmax=2)
        ax.set(xlabel="feature", ylabel="time step")
        ax.set_title(title, fontsize=9)
    fig.suptitle("Which elements share a draw (light: kept, x2 when rescaled; black: dropped; seed 3)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "noise_shape.png", dpi=90)
    plt.close(fig)
    return "\n".join(notes)


PICTURES = {"masks": masks, "noise": noise, "keep_fraction": keep_fraction, "regularization": regularization,
            "alpha": alpha, "noise_shape": noise_shape}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "_generated"))
    parser.add_argument("--backend", default=None, help="jvm, numpy or auto (default)")
    parser.add_argument("only", nargs="*", help=f"draw only these, of {', '.join(PICTURES)}")
    args = parser.parse_args()
    unknown = set(args.only) - set(PICTURES)
    if unknown:
        parser.error(f"unknown pictures {sorted(unknown)}: choose from {', '.join(PICTURES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or PICTURES:
        started = time.perf_counter()
        summary = PICTURES[name](out, args.backend)
        (out / f"{name}.txt").write_text(summary + "\n")
        print(f"  {name}.png ({time.perf_counter() - started:.1f} s): {summary.splitlines()[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
