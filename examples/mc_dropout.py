"""Monte Carlo dropout: uncertainty from a trained model by keeping its
Dropout layers in training mode at inference and averaging many forwards.

    .venv/bin/python examples/mc_dropout.py [--samples 100] [--backend jvm|numpy]

Trains the with-dropout digits MLP of examples/regularization.py, then, for
every test image, runs ``--samples`` forwards with ``training()`` on (each one
a different mask: the layers' step advances), and reports the predictive mean
(the class predicted is the argmax of the mean probabilities), the spread
(the standard deviation, across samples, of the probability of that class)
and the entropy of the mean probabilities (Gal and Ghahramani, 2016). Digits
the model gets wrong have a clearly higher spread and entropy than those it
gets right: they flag the predictions not to trust. Seeded: the same numbers
on every run and backend.
"""
import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits_mlp import Config, load_digits_split, progress_bar, train  # noqa: E402

MODEL = Config(input_p=0.2, hidden_p=0.5)


def mc_predict(model, x: np.ndarray, samples: int):
    """(mean probabilities, their standard deviation) over ``samples`` training-mode forwards."""
    model.training()
    probs = np.stack([model.predict_proba(x) for _ in range(samples)])
    return probs.mean(0), probs.std(0)


def uncertainty(mean: np.ndarray, std: np.ndarray):
    """(predicted class, spread of its probability, entropy of the mean probabilities) per row."""
    predicted = mean.argmax(1)
    spread = std[np.arange(len(predicted)), predicted]
    entropy = -(mean * np.log(np.maximum(mean, 1e-12))).sum(1)
    return predicted, spread, entropy


def auroc(higher: np.ndarray, lower: np.ndarray) -> float:
    """Probability that a value of ``higher`` exceeds one of ``lower`` (ties count half)."""
    diff = higher[:, None] - lower[None, :]
    return float((diff > 0).mean() + 0.5 * (diff == 0).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backend", default=None, help="jvm, numpy or auto (default)")
    args = parser.parse_args()
    data = load_digits_split(MODEL.n_train)
    _, _, x_test, y_test = data
    config = replace(MODEL, backend=args.backend)
    _, model = train(config, data, on_epoch=progress_bar("training (dropout 0.2/0.5)"), keep_model=True)
    try:
        deterministic = model.evaluate().predict_proba(x_test).argmax(1)
        mean, std = mc_predict(model, x_test, args.samples)
        backend = model.dropouts[0].backend
    finally:
        model.close()
    predicted, spread, entropy = uncertainty(mean, std)
    wrong = predicted != y_test
    print(f"{len(y_test)} test digits, {args.samples} stochastic forwards each ({backend} backend)")
    print(f"accuracy: evaluate mode {np.mean(deterministic == y_test):.4f}, "
          f"MC predictive mean {np.mean(~wrong):.4f}")
    print("spread = std across samples of the predicted class's probability; entropy = of the mean probabilities")
    print(f"  {'':<22}{'count':>6}{'spread':>9}{'entropy':>9}   (means)")
    for label, rows in (("correctly classified", ~wrong), ("misclassified", wrong)):
        print(f"  {label:<22}{rows.sum():>6}{spread[rows].mean():>9.4f}{entropy[rows].mean():>9.4f}")
    print(f"  misclassified digits: {spread[wrong].mean() / spread[~wrong].mean():.1f}x the spread, "
          f"{entropy[wrong].mean() / entropy[~wrong].mean():.1f}x the entropy")
    auc = auroc(entropy[wrong], entropy[~wrong])
    print(f"  a misclassified digit has a higher entropy than a correct one in {auc:.1%} of pairs (AUROC)")
    top = np.argsort(-entropy)[:20]
    print(f"the 20 most uncertain test digits (highest entropy): {wrong[top].sum()} misclassified, "
          f"against {wrong.mean():.1%} of the whole test set")
    print("  true/predicted (mean probability +- spread): "
          + ", ".join(f"{y_test[i]}/{predicted[i]} ({mean[i, predicted[i]]:.2f}+-{spread[i]:.2f})" for i in top[:10]))
    return 0 if spread[wrong].mean() > spread[~wrong].mean() and auc > 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
