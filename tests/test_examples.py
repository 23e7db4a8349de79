"""The examples do what the docs say: the quick start prints the bytes the
Scala example prints (the shared file both check), the digits MLP trains to the
same bits on both backends, Dropout shrinks its train/test gap, and Monte
Carlo dropout is more uncertain about the digits it gets wrong."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BITS_FILE = EXAMPLES / "quickstart-bits.txt"


@pytest.fixture(scope="module")
def examples():
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield {name: importlib.import_module(name) for name in ("quickstart", "digits_mlp", "mc_dropout", "regularization")}
    finally:
        sys.path.remove(str(EXAMPLES))


def _backends():
    return ["numpy", pytest.param("jvm", marks=pytest.mark.jvm)]


@pytest.mark.parametrize("backend", _backends())
def test_quickstart_bits_equal_the_file_the_scala_example_checks(examples, backend):
    lines = examples["quickstart"].bit_lines(examples["quickstart"].results(backend))
    assert lines == BITS_FILE.read_text().splitlines()
    labels = {line.split()[0].split(".")[0] for line in lines}
    assert labels == {"Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"}


def test_quickstart_script_prints_the_bits_section():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, str(EXAMPLES / "quickstart.py"), "--backend", "numpy"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    printed = r.stdout.split("bits of every result (float32, hex):\n", 1)[1].splitlines()
    assert printed == BITS_FILE.read_text().splitlines()


@pytest.mark.jvm
def test_digits_training_is_the_same_bits_on_jvm_and_numpy(examples):
    dm = examples["digits_mlp"]
    data = dm.load_digits_split()
    small = dm.Config(hidden=64, input_p=0.2, hidden_p=0.5, epochs=4)
    runs = [dm.train(replace(small, backend=b), data) for b in ("jvm", "numpy")]
    assert runs[0].weights == runs[1].weights
    assert (runs[0].train_acc, runs[0].test_loss) == (runs[1].train_acc, runs[1].test_loss)
    # and the dropout really acted: a run without it ends elsewhere
    assert dm.train(replace(small, input_p=0.0, hidden_p=0.0, backend="numpy"), data).weights != runs[1].weights


def test_dropout_shrinks_the_train_test_gap_of_the_digits_mlp(examples):
    """The claim of examples/regularization.py and the docs, with their exact settings."""
    dm, reg = examples["digits_mlp"], examples["regularization"]
    data = dm.load_digits_split()
    plain = dm.train(replace(reg.PLAIN, backend="numpy"), data)
    dropout = dm.train(replace(reg.DROPOUT, backend="numpy"), data)
    assert plain.train_acc[-1] == 1.0  # the plain model memorises its 300 images
    assert dropout.gap < plain.gap
    assert dropout.test_loss[-1] < plain.test_loss[-1]
    assert dropout.test_loss[-1] - dropout.train_loss[-1] < plain.test_loss[-1] - plain.train_loss[-1]


def test_monte_carlo_dropout_is_more_uncertain_where_the_model_is_wrong(examples):
    dm, mc = examples["digits_mlp"], examples["mc_dropout"]
    data = dm.load_digits_split()
    config = replace(mc.MODEL, epochs=20, backend="numpy")
    _, model = dm.train(config, data, keep_model=True)
    try:
        x_test, y_test = data[2], data[3]
        steps_before = [d.step for d in model.dropouts]
        mean, std = mc.mc_predict(model, x_test, samples=30)
        assert [d.step for d in model.dropouts] == [s + 30 for s in steps_before]  # 30 fresh masks each
    finally:
        model.close()
    assert np.allclose(mean.sum(1), 1.0)
    predicted, spread, entropy = mc.uncertainty(mean, std)
    wrong = predicted != y_test
    assert 0 < wrong.sum() < len(wrong) // 5
    assert spread[wrong].mean() > 1.3 * spread[~wrong].mean()
    assert entropy[wrong].mean() > 2 * entropy[~wrong].mean()
    assert mc.auroc(entropy[wrong], entropy[~wrong]) > 0.85


def test_auroc_counts_pairs_and_half_ties(examples):
    auroc = examples["mc_dropout"].auroc
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0]), np.array([2.0])) == 0.0
    assert auroc(np.array([2.0, 1.0]), np.array([2.0])) == 0.25
