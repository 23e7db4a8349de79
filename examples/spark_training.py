"""Dropout as a Spark ML pipeline stage at training time and at inference time.

    .venv/bin/python examples/spark_training.py [--epochs 8] [--iterations 10] [--out target/spark_training.txt]

A small multilayer perceptron (Spark ML's MultilayerPerceptronClassifier,
64-32-10) on scikit-learn's digits, as a DataFrame of (index, features,
label) on local[2], trained twice for the same number of L-BFGS iterations:

* clean: each epoch fits ``--iterations`` iterations on the features as they are;
* noisy: each epoch first passes the features through
  ``bigdl_reg.spark_ml.NoiseTransformer`` (Dropout, p = 0.2) at step = epoch,
  so each epoch sees new noise, then fits the same iterations.

Both warm-start each epoch from the previous epoch's weights
(``initialWeights``), so an epoch is a few more iterations of one training.
After training, the noisy model goes into a PipelineModel behind the noise
stage in evaluate mode (training=False: no index column needed, data passed
through unchanged), saved, loaded back and scored on the held-out images.

Prints a stamped table of held-out accuracy per epoch and writes it to
``--out``. Everything is seeded: the same arguments print the same table.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "benchmarks"))
from digits_mlp import load_digits_split  # noqa: E402
from bench_peers import stamp  # noqa: E402
from write_doc_figures import stamp_line  # noqa: E402

SEED = 42
LAYERS = [64, 32, 10]
DROP_P = 0.2


def digits_frame(spark, x: np.ndarray, y: np.ndarray, first_index: int = 0):
    from pyspark.ml.linalg import Vectors

    rows = [(first_index + i, Vectors.dense(row.astype(np.float64)), float(label))
            for i, (row, label) in enumerate(zip(x, y))]
    return spark.createDataFrame(rows, ["index", "features", "label"]).repartition(2, "index").cache()


def accuracy(model, df, features_col: str = "features") -> float:
    predictions = model.setFeaturesCol(features_col).transform(df).select("label", "prediction").collect()
    return sum(r.label == r.prediction for r in predictions) / len(predictions)


def train(train_df, test_df, epochs: int, iterations: int, noise=None):
    """Per epoch: (optionally) new noise at step = epoch, then `iterations` more
    L-BFGS iterations from the last weights. Returns (model, accuracies)."""
    from pyspark.ml.classification import MultilayerPerceptronClassifier

    weights, model, accuracies = None, None, []
    for epoch in range(epochs):
        data, features = train_df, "features"
        if noise is not None:
            data, features = noise.setStep(epoch).transform(train_df), "noisy"
        mlp = MultilayerPerceptronClassifier(layers=LAYERS, maxIter=iterations, seed=SEED, featuresCol=features,
                                             labelCol="label", blockSize=128)
        if weights is not None:
            mlp.setInitialWeights(weights)
        model = mlp.fit(data)
        weights = model.weights
        accuracies.append(accuracy(model, test_df))
    return model, accuracies


def run(spark, epochs: int, iterations: int) -> dict:
    from pyspark.ml import PipelineModel

    from bigdl_reg.spark_ml import NoiseTransformer

    x_train, y_train, x_test, y_test = load_digits_split()
    train_df = digits_frame(spark, x_train, y_train)
    test_df = digits_frame(spark, x_test, y_test, first_index=len(x_train))
    noise = NoiseTransformer(layer="Dropout", initP=DROP_P, seed=SEED, sampleShape=[x_train.shape[1]],
                             inputCol="features", outputCol="noisy", indexCol="index")
    _, clean = train(train_df, test_df, epochs, iterations)
    noisy_model, noisy = train(train_df, test_df, epochs, iterations, noise)

    # inference: the stage in evaluate mode in a saved and loaded pipeline
    evaluate = NoiseTransformer(layer="Dropout", initP=DROP_P, seed=SEED, training=False, sampleShape=[x_test.shape[1]],
                                inputCol="features", outputCol="noisy")
    with tempfile.TemporaryDirectory() as tmp:
        PipelineModel(stages=[evaluate, noisy_model.setFeaturesCol("noisy")]).write().overwrite().save(tmp + "/p")
        loaded = PipelineModel.load(tmp + "/p")
        scored = loaded.transform(test_df.drop("index")).select("features", "noisy", "label", "prediction").collect()
    identity = all(r.features.toArray().tobytes() == r.noisy.toArray().tobytes() for r in scored)
    loaded_accuracy = sum(r.label == r.prediction for r in scored) / len(scored)
    return {"train": len(x_train), "test": len(x_test), "clean": clean, "noisy": noisy,
            "evaluate_identity": identity, "loaded_accuracy": loaded_accuracy}


def table(result: dict, epochs: int, iterations: int) -> str:
    lines = [stamp_line(stamp()), "",
             f"digits, {result['train']} training and {result['test']} held-out images; Spark ML "
             f"MultilayerPerceptronClassifier {'-'.join(map(str, LAYERS))}, {epochs} epochs of {iterations} "
             f"L-BFGS iterations, warm-started; local[2]. Held-out accuracy after each epoch:", "",
             "| epoch | clean | Dropout(p = 0.2) stage, step = epoch |", "|---:|---:|---:|"]
    for epoch, (c, n) in enumerate(zip(result["clean"], result["noisy"])):
        lines.append(f"| {epoch} | {c:.4f} | {n:.4f} |")
    lines += ["", f"Saved and loaded PipelineModel [noise stage in evaluate mode, noisy model]: held-out accuracy "
              f"{result['loaded_accuracy']:.4f}; the stage passed the features through unchanged: "
              f"{result['evaluate_identity']}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "target" / "spark_training.txt"))
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    import bigdl_reg.spark as bs

    spark = (bs.configure(SparkSession.builder.master("local[2]").appName("bigdl-reg spark_training"))
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        result = run(spark, args.epochs, args.iterations)
    finally:
        spark.stop()
    text = table(result, args.epochs, args.iterations)
    print(text, end="")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0 if result["evaluate_identity"] else 1


if __name__ == "__main__":
    sys.exit(main())
