"""Runs in .venv-peers: save the benchmark's RandomForest on iris as an MLflow model.

    python models_peer.py WORKDIR N_ESTIMATORS [rf|pipeline]  -> prints {"model_path": ...}

Same data, columns and parameters as the ML Hub side, so both servers answer for the
same model; `mlflow models serve -m <model_path>` then serves it. ``pipeline`` is
StandardScaler + LogisticRegression (a model ML Hub serves through scikit-learn itself).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import mlflow.sklearn
import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def main() -> None:
    work, n_estimators = Path(sys.argv[1]), int(sys.argv[2])
    kind = sys.argv[3] if len(sys.argv) > 3 else "rf"
    data = load_iris(as_frame=True)
    X = data.frame.drop(columns=["target"])
    X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    y = np.asarray(data.target_names)[data.target]
    if kind == "pipeline":
        model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(max_iter=500))]).fit(X, y)
    else:
        model = RandomForestClassifier(n_estimators=n_estimators, random_state=0, n_jobs=1).fit(X, y)
    path = work / f"mlflow-iris-{kind}"
    # We made the file ourselves, so the tree type skops flags may be trusted here.
    mlflow.sklearn.save_model(model, str(path), input_example=X.head(2),
                              skops_trusted_types=["sklearn.tree._tree.Tree"])
    print(json.dumps({"model_path": str(path)}))


if __name__ == "__main__":
    main()
