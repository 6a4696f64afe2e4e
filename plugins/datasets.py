"""Data loaders for the example specs: synthetic data sets, generated, never downloaded.

``housing`` mimics the shape of the California housing regression task the book uses
(8 numeric features, one positive target); ``blobs`` is a 3-class classification set.
Both are deterministic functions of ``seed``. Data written from them ships in
``configs/data/`` under CC0 (it is generated, not collected).
"""
import numpy as np

import tfx


@tfx.register("examples", kind="data")
def housing(n=11610, seed=42):
    """(x, y): 8 features (income, age, rooms, ...) and a median-house-value-like target."""
    rng = np.random.default_rng(seed)
    income = rng.gamma(4.0, 1.0, n)
    age = rng.uniform(1, 52, n)
    rooms = rng.normal(5.4, 1.2, n).clip(1, None)
    bedrooms = rooms * rng.normal(0.21, 0.03, n).clip(0.1, None)
    population = rng.lognormal(7.0, 0.7, n)
    occupancy = rng.normal(3.0, 0.8, n).clip(1, None)
    lat = rng.uniform(32.5, 42.0, n)
    lon = rng.uniform(-124.3, -114.3, n)
    value = (0.45 * income + 0.008 * age + 0.05 * (rooms - bedrooms) - 0.12 * occupancy
             - 0.08 * np.abs(lat - 36) + 0.25 * np.exp(-((lon + 118.5) ** 2) / 4)
             + rng.normal(0, 0.3, n))
    x = np.stack([income, age, rooms, bedrooms, population, occupancy, lat, lon], axis=1)
    return x.astype(np.float32), value.clip(0.15, 5.0).astype(np.float32).reshape(-1, 1)


@tfx.register("examples", kind="data")
def blobs(n=900, seed=0, classes=3, features=4):
    """(x, y): Gaussian clusters with integer labels 0..classes-1."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, features))
    y = rng.integers(0, classes, n)
    x = centers[y] + rng.normal(0, 1.2, (n, features))
    return x.astype(np.float32), y.astype(np.int64)


HOUSING_COLUMNS = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                   "Latitude", "Longitude"]


def write_housing_csv(path, n=2000, seed=7):
    """Write the CSV that ``configs/housing.yaml`` reads (run: python plugins/datasets.py)."""
    x, y = housing(n, seed)
    header = ",".join(HOUSING_COLUMNS + ["MedHouseVal"])
    rows = [",".join(f"{v:.5g}" for v in list(xi) + [yi[0]]) for xi, yi in zip(x, y)]
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "\n" + "\n".join(rows) + "\n")


if __name__ == "__main__":
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    write_housing_csv(os.path.join(here, "..", "configs", "data", "housing.csv"))
