#!/usr/bin/env python3
"""Train the churn model on a feature snapshot and log the run to MLflow."""

import argparse

import lightgbm as lgb
import mlflow
import pandas as pd
from sklearn.metrics import roc_auc_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--features", required=True, help="Parquet file with features and a 'churned' column"
    )
    parser.add_argument("--holdout", required=True, help="Parquet file for evaluation")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    train = pd.read_parquet(args.features)
    holdout = pd.read_parquet(args.holdout)
    x, y = train.drop(columns=["churned"]), train["churned"]

    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "seed": args.seed}
    with mlflow.start_run():
        mlflow.log_params(params)
        model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=400)
        auc = roc_auc_score(holdout["churned"], model.predict(holdout.drop(columns=["churned"])))
        mlflow.log_metric("auc", auc)
        mlflow.lightgbm.log_model(model, "model")
        print(f"hold-out AUC: {auc:.4f}")


if __name__ == "__main__":
    main()
