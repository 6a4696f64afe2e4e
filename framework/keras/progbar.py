"""Keras-style progress display on rich:
``363/363 ━━━━━━━━━━━━━━━━━━━━ 1s 820us/step - loss: 0.7640 - mae: 0.6123``."""
import sys
import time

__all__ = ["Progbar"]


def _fmt_value(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        return f"{v:.4e}"
    return f"{v:.4f}"


def _as_float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _fmt_time(per_step):
    if per_step >= 1:
        return f"{per_step:.0f}s/step"
    if per_step >= 1e-3:
        return f"{per_step * 1e3:.0f}ms/step"
    return f"{per_step * 1e6:.0f}us/step"


class Progbar:
    """Progress of ``target`` steps (None when unknown). ``verbose``: 1 live bar, 2 one line
    at the end, 0 nothing. Redraws at most every ``interval`` seconds.

    Values given to ``update`` are averaged over the steps they cover, except the
    ``stateful_metrics`` (shown as given); with ``stateless_metrics`` instead, only those are
    averaged (``stateless_metrics=set()``: every value shown as given). As Keras.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", file=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else \
            set(stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._file = file or sys.stdout
        self._start = time.perf_counter()
        self._last = 0.0
        self._seen = 0
        self._values = {}
        self._live = self._file.isatty() if hasattr(self._file, "isatty") else False
        self._console = None

    def _out(self, text, end):
        from .io_utils import is_interactive_logging_enabled, logger
        if not is_interactive_logging_enabled():  # finished lines only, to the log
            if end:
                logger.info(text.strip("\r\n"))
            return
        if self._console is None:
            from rich.console import Console
            self._console = Console(file=self._file, highlight=False, soft_wrap=True)
        self._console.print(text, end=end, markup=False)

    def _averaged(self, name):
        if self.stateless_metrics is not None:
            return name in self.stateless_metrics
        return name not in self.stateful_metrics

    def update(self, current, values=None, finalize=None):
        """Progress to step ``current``; ``values``: (name, value) pairs or a dict."""
        steps = max(current - self._seen, 1)  # the steps these values stand for
        final = finalize if finalize is not None else \
            self.target is not None and current >= self.target
        for k, v in (values.items() if isinstance(values, dict) else values or ()):
            v = _as_float(v)
            # The last update's values are final: shown as given, as Keras.
            if self._averaged(k) and isinstance(v, float) and not final:
                total, count = self._values.get(k, (0.0, 0))
                self._values[k] = (total + v * steps, count + steps)
            else:
                self._values[k] = (v, 1)
        self._seen = current
        if self.verbose == 0:
            return
        if finalize is None:
            # Reaching the target redraws a live bar; a log file gets one line per epoch,
            # written when the epoch's logs are final.
            finalize = self.target is not None and current >= self.target
            if finalize and not self._live:
                return
        now = time.perf_counter()
        if self.verbose == 1 and not finalize:
            if not self._live or now - self._last < self.interval:
                return
        if self.verbose == 2 and not finalize:
            return
        self._last = now
        line = self._line(current, now, finalize)
        if self.verbose == 1 and self._live:
            self._out("\r" + line, end="\n" if finalize else "")
        elif finalize:
            self._out(line, end="\n")
        self._file.flush()

    def add(self, n, values=None):
        self.update(self._seen + n, values)

    def _line(self, current, now, finalize):
        elapsed = now - self._start
        parts = []
        if self.target is not None:
            digits = len(str(self.target))
            filled = int(self.width * current / self.target) if self.target else self.width
            bar = "━" * filled + " " * (self.width - filled)
            parts.append(f"{current:>{digits}}/{self.target} {bar}")
        else:
            parts.append(f"{current}")
        per = elapsed / max(current, 1)
        if finalize:
            parts.append(f"{elapsed:.0f}s {_fmt_time(per)}")
        else:
            eta = per * (self.target - current) if self.target else 0
            parts.append(f"{eta:.0f}s {_fmt_time(per)}")
        line = " ".join(parts)
        for k, (total, count) in self._values.items():
            line += f" - {k}: {_fmt_value(total if count == 1 else total / count)}"
        return line
