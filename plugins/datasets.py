"""Data loaders for the example specs: synthetic data sets, generated, never downloaded.

``housing`` mimics the shape of the California housing regression task the book uses
(8 numeric features, one positive target); ``blobs`` is a 3-class classification set;
``padded_sequences``, ``sentiment_texts`` and ``square_images`` feed the masked-sequence,
text-classifier and autoencoder examples. All are deterministic functions of ``seed``.
Data written from them ships in ``configs/data/`` under CC0 (it is generated, not
collected).
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


@tfx.register("examples", kind="data")
def padded_sequences(n=800, seed=0, length=20, vocab=20, marker=5):
    """(x, y): integer token sequences of random lengths, padded with 0 at the end (the
    padding an ``Embedding(mask_zero=True)`` masks); y = 1 when ``marker`` occurs."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, length), np.int32)
    y = np.zeros((n, 1), np.float32)
    for i in range(n):
        k = rng.integers(3, length + 1)
        tokens = rng.integers(1, vocab, k)
        tokens[tokens == marker] = marker + 1
        if rng.random() < 0.5:
            tokens[rng.integers(0, k)] = marker
            y[i] = 1.0
        x[i, :k] = tokens
    return x, y


_POSITIVE = ["good", "great", "excellent", "love", "wonderful", "best", "fun", "enjoyed"]
_NEGATIVE = ["bad", "awful", "terrible", "hate", "boring", "worst", "dull", "poor"]
_NEUTRAL = ["the", "movie", "film", "was", "a", "it", "and", "story", "acting", "really",
            "very", "this", "plot", "i", "of", "ending"]
SENTIMENT_VOCABULARY = _NEUTRAL + _POSITIVE + _NEGATIVE


@tfx.register("examples", kind="data")
def sentiment_texts(n=600, seed=0):
    """({"text": (n, 1) strings}, y): short generated reviews; y = 1 when most of their
    opinion words are positive. Words come from ``SENTIMENT_VOCABULARY``."""
    rng = np.random.default_rng(seed)
    texts, y = [], np.zeros((n, 1), np.float32)
    for i in range(n):
        label = int(rng.random() < 0.5)
        mine, other = (_POSITIVE, _NEGATIVE) if label else (_NEGATIVE, _POSITIVE)
        words = list(rng.choice(_NEUTRAL, rng.integers(3, 8)))
        words += list(rng.choice(mine, rng.integers(2, 4)))
        words += list(rng.choice(other, rng.integers(0, 2)))
        rng.shuffle(words)
        text = " ".join(words)
        texts.append(text[0].upper() + text[1:] + rng.choice([".", "!", "..."]))
        y[i] = label
    return {"text": np.array(texts, dtype=object).reshape(-1, 1)}, y


@tfx.register("examples", kind="data")
def square_images(n=256, seed=0, size=16):
    """(x, x): (n, size, size, 1) images holding one bright square each (an autoencoder
    learns to redraw them)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, size, size, 1), np.float32)
    for i in range(n):
        w = rng.integers(3, size // 2 + 1)
        r, c = rng.integers(0, size - w + 1, 2)
        x[i, r:r + w, c:c + w] = rng.uniform(0.6, 1.0)
    return x, x


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
