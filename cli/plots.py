"""Plots written into a run folder (matplotlib, Agg backend; skipped if not installed)."""
import os

__all__ = ["learning_curves", "predicted_vs_true", "confusion_matrix"]


def _plt():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        return None


def learning_curves(history, path):
    plt = _plt()
    if plt is None or not history:
        return None
    names = [k for k in history if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.5), squeeze=False)
    for ax, k in zip(axes[0], names):
        ax.plot(range(1, len(history[k]) + 1), history[k], label="train", marker="o")
        if "val_" + k in history:
            ax.plot(range(1, len(history["val_" + k]) + 1), history["val_" + k],
                    label="validation", marker="o")
        ax.set_title(k)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def predicted_vs_true(y_true, y_pred, path):
    plt = _plt()
    if plt is None:
        return None
    import numpy as np
    yt, yp = np.ravel(y_true), np.ravel(y_pred)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.scatter(yt, yp, s=6, alpha=0.5)
    lo, hi = float(min(yt.min(), yp.min())), float(max(yt.max(), yp.max()))
    ax.plot([lo, hi], [lo, hi], color="k", lw=1)
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def confusion_matrix(y_true, y_pred, path):
    plt = _plt()
    if plt is None:
        return None
    import numpy as np
    yt = np.asarray(y_true)
    yp = np.asarray(y_pred)
    t = yt.argmax(-1) if yt.ndim > 1 and yt.shape[-1] > 1 else yt.reshape(-1).astype(int)
    p = yp.argmax(-1) if yp.shape[-1] > 1 else (yp.reshape(-1) > 0.5).astype(int)
    n = int(max(t.max(), p.max())) + 1
    cm = np.zeros((n, n), dtype=int)
    np.add.at(cm, (t, p), 1)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    im = ax.imshow(cm, cmap="Blues")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(im)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
