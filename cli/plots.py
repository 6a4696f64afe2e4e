"""Plots written into a run folder, as SVG written directly: no plotting library to import
(matplotlib alone would add about a second to every `tfx train`), and files any browser,
editor or GitHub page shows."""
import math
from xml.sax.saxutils import escape

__all__ = ["learning_curves", "predicted_vs_true", "confusion_matrix"]

_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
_W, _H = 380, 300                       # one panel
_LEFT, _RIGHT, _TOP, _BOTTOM = 62, 14, 30, 44
_MAX_POINTS = 2000                      # a scatter keeps an evenly spaced sample


def _ticks(lo, hi, n=5):
    """Round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(first, max(last, first + 1) + 1)]


class _Panel:
    """One pair of axes at (x0, y0) in the picture: maps data to pixels, draws the frame."""

    def __init__(self, x0, y0, xlim, ylim, title="", xlabel="", ylabel=""):
        self.xt, self.yt = _ticks(*xlim), _ticks(*ylim)
        self.x0, self.y0 = x0, y0
        self.w, self.h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel

    def px(self, x):
        lo, hi = self.xt[0], self.xt[-1]
        return self.x0 + _LEFT + (x - lo) / (hi - lo) * self.w

    def py(self, y):
        lo, hi = self.yt[0], self.yt[-1]
        return self.y0 + _TOP + self.h - (y - lo) / (hi - lo) * self.h

    def frame(self):
        left, top = self.x0 + _LEFT, self.y0 + _TOP
        out = [f'<rect x="{left}" y="{top}" width="{self.w}" height="{self.h}" fill="none" '
               f'stroke="#444"/>']
        for t in self.xt:
            x = self.px(t)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + self.h}" '
                       f'stroke="#ddd"/>')
            out.append(_text(x, top + self.h + 15, f"{t:g}", "middle"))
        for t in self.yt:
            y = self.py(t)
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + self.w}" y2="{y:.1f}" '
                       f'stroke="#ddd"/>')
            out.append(_text(left - 5, y + 4, f"{t:.4g}", "end"))
        out.append(_text(left + self.w / 2, self.y0 + 18, self.title, "middle", bold=True))
        out.append(_text(left + self.w / 2, top + self.h + 34, self.xlabel, "middle"))
        cy = top + self.h / 2
        out.append(f'<text x="{self.x0 + 14}" y="{cy:.1f}" text-anchor="middle" '
                   f'transform="rotate(-90 {self.x0 + 14} {cy:.1f})">{escape(self.ylabel)}'
                   '</text>')
        return out


def _text(x, y, s, anchor="start", bold=False, fill=None):
    weight = ' font-weight="bold"' if bold else ""
    color = f' fill="{fill}"' if fill else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{weight}{color}>' \
           f'{escape(str(s))}</text>'


def _write(path, width, height, body):
    from .runs import write_text
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">\n'
           f'<rect width="{width}" height="{height}" fill="white"/>\n' +
           "\n".join(body) + "\n</svg>\n")
    write_text(path, svg)
    return path


def _finite(values):
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def learning_curves(history, path):
    """One panel per loss and metric: the training curve and, if any, the validation one."""
    names = [k for k in history if not k.startswith("val_")]
    if not names:
        return None
    body = []
    for i, k in enumerate(names):
        series = [("train", history[k])]
        if "val_" + k in history:
            series.append(("validation", history["val_" + k]))
        values = _finite(v for _, s in series for v in s) or [0.0]
        epochs = max(len(s) for _, s in series)
        p = _Panel(i * _W, 0, (1, max(epochs, 2)), (min(values), max(values)), k, "epoch")
        body += p.frame()
        for j, (label, s) in enumerate(series):
            pts = [(p.px(e + 1), p.py(v)) for e, v in enumerate(s) if math.isfinite(v)]
            color = _COLORS[j]
            body.append('<polyline fill="none" stroke-width="2" stroke="' + color +
                        '" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
            if len(pts) <= 60:
                body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>'
                         for x, y in pts]
            lx, ly = p.x0 + _W - _RIGHT - 90, _TOP + 16 + 16 * j
            body.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 16}" y2="{ly - 4}" '
                        f'stroke="{color}" stroke-width="2"/>')
            body.append(_text(lx + 20, ly, label))
    return _write(path, _W * len(names), _H, body)


def predicted_vs_true(y_true, y_pred, path, split=None):
    """A scatter of predictions against targets (of the ``split`` named in the title), with
    the line where they are equal."""
    import numpy as np
    yt, yp = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    keep = np.isfinite(yt) & np.isfinite(yp)
    yt, yp = yt[keep], yp[keep]
    if yt.size == 0:
        return None
    if yt.size > _MAX_POINTS:
        idx = np.linspace(0, yt.size - 1, _MAX_POINTS).astype(int)
        yt, yp = yt[idx], yp[idx]
    lo, hi = float(min(yt.min(), yp.min())), float(max(yt.max(), yp.max()))
    title = "predicted vs true" + (f" ({split})" if split else "")
    p = _Panel(0, 0, (lo, hi), (lo, hi), title, "true", "predicted")
    body = p.frame()
    a, b = p.xt[0], p.xt[-1]
    body.append(f'<line x1="{p.px(a):.1f}" y1="{p.py(a):.1f}" x2="{p.px(b):.1f}" '
                f'y2="{p.py(b):.1f}" stroke="#222" stroke-width="1"/>')
    body += [f'<circle cx="{p.px(x):.1f}" cy="{p.py(y):.1f}" r="2" fill="{_COLORS[0]}" '
             f'fill-opacity="0.45"/>' for x, y in zip(yt.tolist(), yp.tolist())]
    return _write(path, _W, _H, body)


def confusion_matrix(y_true, y_pred, path, split=None):
    """Counts of (true class, predicted class); integer labels, one-hot labels or
    probabilities (a single sigmoid output splits at 0.5)."""
    import numpy as np
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    t = yt.argmax(-1) if yt.ndim > 1 and yt.shape[-1] > 1 else yt.reshape(-1).astype(int)
    p = yp.argmax(-1) if yp.shape[-1] > 1 else (yp.reshape(-1) > 0.5).astype(int)
    n = int(max(t.max(), p.max())) + 1
    cm = np.zeros((n, n), dtype=int)
    np.add.at(cm, (t, p), 1)
    cell = max(12, min(48, 400 // n))
    left, top = 70, 40
    size = cell * n
    title = "confusion matrix" + (f" ({split})" if split else "")
    body = [_text(left + size / 2, 20, title, "middle", bold=True),
            _text(left + size / 2, top + size + 36, "predicted", "middle"),
            f'<text x="16" y="{top + size / 2:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 16 {top + size / 2:.1f})">true</text>']
    peak = max(int(cm.max()), 1)
    for i in range(n):
        body.append(_text(left - 6, top + cell * i + cell / 2 + 4, i, "end"))
        body.append(_text(left + cell * i + cell / 2, top + size + 16, i, "middle"))
        for j in range(n):
            share = cm[i, j] / peak
            body.append(f'<rect x="{left + cell * j}" y="{top + cell * i}" width="{cell}" '
                        f'height="{cell}" fill="#08519c" fill-opacity="{0.05 + 0.9 * share:.3f}"'
                        ' stroke="#fff"/>')
            if cell >= 20:
                body.append(_text(left + cell * j + cell / 2, top + cell * i + cell / 2 + 4,
                                  cm[i, j], "middle", fill="#fff" if share > 0.5 else "#000"))
    return _write(path, left + size + 20, top + size + 50, body)
