"""Dropout regularizing a real model: a NumPy MLP on scikit-learn's digits,
trained without and with bigdl-reg's Dropout, then the with-dropout run
repeated on the other backend to show the training is the same bits.

    .venv/bin/python examples/regularization.py [--epochs 100] [--plot regularization.png]

Prints train/test accuracy per epoch for both models and saves the curves.
The model without dropout learns the 300 training images by heart (train
accuracy 1.0) and its test accuracy stops there; with Dropout on the input
(p = 0.2) and on the hidden layer (p = 0.5) the gap between train and test is
smaller. Then it trains the with-dropout model once through the jvm backend
and once through numpy and compares the accuracy lists and the final weights
byte for byte. Exit status 1 if they differ or the JVM is unavailable.
"""
import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits_mlp import Config, load_digits_split, plot_curves, progress_bar, train  # noqa: E402

PLAIN = Config()
DROPOUT = Config(input_p=0.2, hidden_p=0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=PLAIN.epochs)
    parser.add_argument("--plot", default="regularization.png", help="where to save the curves (PNG)")
    args = parser.parse_args()
    data = load_digits_split(PLAIN.n_train)
    print(f"digits: {len(data[0])} training and {len(data[2])} test images of 8x8 pixels; "
          f"MLP 64-{PLAIN.hidden}-10, {args.epochs} epochs of SGD, batch {PLAIN.batch}")

    runs = {}
    for name, config in (("no dropout", PLAIN), ("dropout jvm", replace(DROPOUT, backend="jvm")),
                         ("dropout numpy", replace(DROPOUT, backend="numpy"))):
        config = replace(config, epochs=args.epochs)
        runs[name] = train(config, data, on_epoch=progress_bar(name))

    plain, jvm, numpy_ = runs["no dropout"], runs["dropout jvm"], runs["dropout numpy"]
    print(f"\n{'epoch':>5}  {'no dropout':^17}  {'dropout 0.2/0.5':^17}")
    print(f"{'':>5}  {'train':>8} {'test':>8}  {'train':>8} {'test':>8}")
    for e in range(args.epochs):
        print(f"{e + 1:>5}  {plain.train_acc[e]:8.4f} {plain.test_acc[e]:8.4f}  {jvm.train_acc[e]:8.4f} {jvm.test_acc[e]:8.4f}")
    print(f"\ntrain - test accuracy after {args.epochs} epochs: no dropout {plain.gap:.4f}, "
          f"dropout {jvm.gap:.4f} ({'smaller' if jvm.gap < plain.gap else 'NOT smaller'})")
    print(f"test loss: no dropout {plain.test_loss[-1]:.4f}, dropout {jvm.test_loss[-1]:.4f}")

    same_curves = (jvm.train_acc, jvm.test_acc, jvm.train_loss, jvm.test_loss) == (
        numpy_.train_acc, numpy_.test_acc, numpy_.train_loss, numpy_.test_loss)
    same_weights = jvm.weights == numpy_.weights
    print(f"jvm vs numpy backend: accuracy and loss curves {'identical' if same_curves else 'DIFFERENT'}, "
          f"final weights ({len(jvm.weights):,} bytes) {'identical' if same_weights else 'DIFFERENT'}")
    print(f"training time: no dropout {plain.seconds:.1f} s, dropout jvm {jvm.seconds:.1f} s, "
          f"dropout numpy {numpy_.seconds:.1f} s")

    plot_curves([("no dropout", plain), ("dropout", jvm)], args.plot)
    print(f"curves saved to {Path(args.plot).resolve()}")
    return 0 if same_curves and same_weights else 1


if __name__ == "__main__":
    sys.exit(main())
