"""A small NumPy MLP on scikit-learn's handwritten digits, regularized by
bigdl-reg's Dropout: the model of examples/regularization.py and
examples/mc_dropout.py (also used by ``python -m bigdl_reg demo`` and the
docs' pictures).

Everything but the noise is plain NumPy: the two dense layers, ReLU, softmax
cross-entropy and SGD with momentum. The Dropout layers are ours: their
``forward`` in the training loop, their ``backward`` for the gradient (the
same mask, recomputed from the layer's seed and step), ``evaluate()`` to
measure accuracy. With fixed seeds the run is the same bits on every backend.

The data ship inside scikit-learn (``load_digits``: 1797 images of 8x8
pixels, no download). Only a few hundred are used for training, so that a
wide network can memorise them and dropout has something to prevent.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

import numpy as np

from bigdl_reg.nn import Dropout


def load_digits_split(n_train: int = 300, seed: int = 0):
    """(x_train, y_train, x_test, y_test): pixels scaled to [0, 1] as float32,
    a random split of ``n_train`` training images, the rest for testing."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(x))
    train, test = order[:n_train], order[n_train:]
    return x[train], y[train], x[test], y[test]


@dataclass(frozen=True)
class Config:
    """One training run. ``input_p``/``hidden_p`` 0 means no Dropout layer there."""

    hidden: int = 1024
    input_p: float = 0.0
    hidden_p: float = 0.0
    epochs: int = 100
    batch: int = 30
    lr: float = 0.05
    momentum: float = 0.9
    seed: int = 0  # weights, batch order and (seed + 1, seed + 2) the Dropout layers
    n_train: int = 300
    backend: Optional[str] = None  # "jvm", "numpy" or None (the default backend)


@dataclass
class History:
    """Per-epoch accuracy and loss on the training and test sets (evaluate mode)."""

    config: Config
    train_acc: List[float] = field(default_factory=list)
    test_acc: List[float] = field(default_factory=list)
    train_loss: List[float] = field(default_factory=list)
    test_loss: List[float] = field(default_factory=list)
    weights: bytes = b""  # the final weights' bytes: equal bytes = equal training
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        """Final train accuracy minus test accuracy (how much it overfits)."""
        return self.train_acc[-1] - self.test_acc[-1]


class MLP:
    """64 pixels -> [Dropout] -> dense + ReLU -> [Dropout] -> dense -> 10 logits, float32."""

    def __init__(self, config: Config):
        rng = np.random.default_rng(config.seed)
        h = config.hidden
        self.w1 = (rng.standard_normal((64, h)) * np.sqrt(2 / 64)).astype(np.float32)
        self.b1 = np.zeros(h, np.float32)
        self.w2 = (rng.standard_normal((h, 10)) * np.sqrt(1 / h)).astype(np.float32)
        self.b2 = np.zeros(10, np.float32)
        self.drop_in = Dropout(config.input_p, seed=config.seed + 1, backend=config.backend) if config.input_p else None
        self.drop_hidden = Dropout(config.hidden_p, seed=config.seed + 2, backend=config.backend) if config.hidden_p else None
        self.dropouts = [d for d in (self.drop_in, self.drop_hidden) if d is not None]

    @property
    def params(self):
        return [self.w1, self.b1, self.w2, self.b2]

    def training(self) -> "MLP":
        for d in self.dropouts:
            d.training()
        return self

    def evaluate(self) -> "MLP":
        for d in self.dropouts:
            d.evaluate()
        return self

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Forward pass; in training mode every call draws fresh masks."""
        self._x = self.drop_in.forward(x) if self.drop_in else x
        self._pre = self._x @ self.w1 + self.b1
        self._relu = np.maximum(self._pre, np.float32(0))
        self._hidden = self.drop_hidden.forward(self._relu) if self.drop_hidden else self._relu
        return self._hidden @ self.w2 + self.b2

    def gradients(self, grad_logits: np.ndarray):
        """Backward pass of the last ``logits`` call: d(loss)/d(params)."""
        g_w2 = self._hidden.T @ grad_logits
        g_b2 = grad_logits.sum(0)
        g_hidden = grad_logits @ self.w2.T
        if self.drop_hidden:
            g_hidden = self.drop_hidden.backward(self._relu, g_hidden)  # the forward's mask and 1/(1-p)
        g_pre = g_hidden * (self._pre > 0)
        return [self._x.T @ g_pre, g_pre.sum(0), g_w2, g_b2]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.logits(x))

    def weight_bytes(self) -> bytes:
        return b"".join(p.tobytes() for p in self.params)

    def close(self) -> None:
        for d in self.dropouts:
            d.close()


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(proba: np.ndarray, y: np.ndarray) -> float:
    return float(-np.log(proba[np.arange(len(y)), y] + 1e-12).mean())


def train(config: Config, data=None, on_epoch: Optional[Callable[[int, History], None]] = None, keep_model=False):
    """Train one model; returns its History (and the model when ``keep_model``).

    ``on_epoch(epoch, history)`` is called after each epoch (for progress)."""
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    x_tr, y_tr, x_te, y_te = data if data is not None else load_digits_split(config.n_train)
    started = time.perf_counter()
    # one BLAS thread: these matrices are small, and a multi-threaded BLAS on a
    # busy machine spends most of its time waiting for its threads
    blas = threadpool_limits(1, user_api="blas")
    model = MLP(config)
    history = History(config)
    velocity = [np.zeros_like(p) for p in model.params]
    order_rng = np.random.default_rng(config.seed + 3)
    lr, momentum = np.float32(config.lr), np.float32(config.momentum)
    one_hot = np.eye(10, dtype=np.float32)
    try:
        for epoch in range(1, config.epochs + 1):
            model.training()
            order = order_rng.permutation(len(x_tr))
            for start in range(0, len(order), config.batch):
                idx = order[start : start + config.batch]
                proba = model.predict_proba(x_tr[idx])
                grad_logits = (proba - one_hot[y_tr[idx]]) / np.float32(len(idx))
                for p, v, g in zip(model.params, velocity, model.gradients(grad_logits)):
                    v *= momentum
                    v -= lr * g
                    p += v
            model.evaluate()
            for x, y, acc, loss in ((x_tr, y_tr, history.train_acc, history.train_loss),
                                    (x_te, y_te, history.test_acc, history.test_loss)):
                proba = model.predict_proba(x)
                acc.append(float((proba.argmax(1) == y).mean()))
                loss.append(cross_entropy(proba, y))
            if on_epoch:
                on_epoch(epoch, history)
        history.weights = model.weight_bytes()
    finally:
        blas.restore_original_limits()
        if not keep_model:
            model.close()
    history.seconds = time.perf_counter() - started
    return (history, model) if keep_model else history


def progress_bar(label: str, stream=sys.stderr) -> Callable[[int, History], None]:
    """An ``on_epoch`` callback showing progress: one line redrawn on a
    terminal, else a line at every quarter of the run."""
    tty = stream.isatty()

    def on_epoch(epoch: int, history: History) -> None:
        total = history.config.epochs
        if not tty and epoch != total and epoch % max(1, total // 4):
            return
        done = int(30 * epoch / total)
        line = (f"  {label:<28} [{'#' * done}{'.' * (30 - done)}] epoch {epoch:>3}/{total}"
                f"  test acc {history.test_acc[-1]:.3f}")
        stream.write(("\r" + line + ("\n" if epoch == total else "")) if tty else line + "\n")
        stream.flush()

    return on_epoch


def plot_curves(histories, path, title="Digits MLP: train vs test accuracy") -> None:
    """Train (dashed) and test (solid) accuracy per epoch for each run, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
    for (label, h), colour in zip(histories, ("tab:red", "tab:blue", "tab:green", "tab:purple")):
        epochs = range(1, len(h.train_acc) + 1)
        ax_acc.plot(epochs, h.train_acc, "--", color=colour, label=f"{label}: train")
        ax_acc.plot(epochs, h.test_acc, "-", color=colour, label=f"{label}: test")
        ax_loss.plot(epochs, h.train_loss, "--", color=colour, label=f"{label}: train")
        ax_loss.plot(epochs, h.test_loss, "-", color=colour, label=f"{label}: test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title=title, ylim=(0.8, 1.005))
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss", yscale="log")
    for ax in (ax_acc, ax_loss):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
