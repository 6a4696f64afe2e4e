"""What ``compile(loss=..., metrics=...)`` becomes: objects matched to the model's outputs."""
from ... import nest
from ...core.tensor import convert_to_tensor
from ...ops import math_ops as M

__all__ = ["CompiledLoss", "CompiledMetrics"]


def _loss_object(identifier):
    from .. import losses
    obj = losses.get(identifier)
    if isinstance(obj, losses.Loss):
        return obj
    if callable(obj):
        name = getattr(obj, "__name__", None)
        return losses.LossFunctionWrapper(obj, name=name)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def _match(spec, names, n, what):
    """Spread a per-output spec (single, list, dict by output name) over ``n`` outputs."""
    if isinstance(spec, dict):
        if names is None:
            raise ValueError(f"A dict of {what} needs a model with named outputs (a functional "
                             "model); got " + repr(list(spec)))
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"{what} for unknown output(s) {sorted(unknown)}; the model's "
                             f"outputs are {names}")
        return [spec.get(k) for k in names]
    if isinstance(spec, (list, tuple)) and n > 1 and what == "losses":
        if len(spec) != n:
            raise ValueError(f"The model has {n} outputs, but you passed {len(spec)} {what}")
        return list(spec)
    if isinstance(spec, (list, tuple)) and n > 1 and what == "metrics" and \
            all(isinstance(s, (list, tuple)) or s is None for s in spec):
        return list(spec)
    return [spec] * n


class CompiledLoss:
    def __init__(self, loss, loss_weights, output_names):
        self._spec = loss
        self._weights = loss_weights
        self._names = output_names
        self._built = None
        self.active = loss is not None

    def _build(self, n):
        specs = _match(self._spec, self._names, n, "losses")
        objs = [None if s is None else _loss_object(s) for s in specs]
        w = self._weights
        if w is None:
            ws = [1.0] * n
        elif isinstance(w, dict):
            ws = [float(w.get(k, 1.0)) for k in self._names]
        elif isinstance(w, (list, tuple)):
            ws = [float(x) for x in w]
        else:
            ws = [float(w)] * n
        self._built = (objs, ws)

    def __call__(self, y_true, y_pred, sample_weight=None):
        flat_pred = nest.flatten(y_pred)
        if self._built is None:
            self._build(len(flat_pred))
        objs, ws = self._built
        if len(flat_pred) == 1:
            obj = objs[0]
            loss = obj(y_true if not isinstance(y_true, (list, tuple)) or len(y_true) != 1
                       else y_true[0], flat_pred[0], sample_weight)
            return loss if ws[0] == 1.0 else M.multiply(loss, ws[0])
        flat_true = _targets(y_true, self._names, len(flat_pred))
        sws = nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict)) \
            else [sample_weight] * len(flat_pred)
        total = None
        for obj, w, yt, yp, sw in zip(objs, ws, flat_true, flat_pred, sws):
            if obj is None or yt is None:
                continue
            l = obj(yt, yp, sw)
            l = l if w == 1.0 else M.multiply(l, w)
            total = l if total is None else M.add(total, l)
        return total


def _targets(y_true, names, n):
    if isinstance(y_true, dict):
        return [y_true.get(k) for k in names]
    flat = nest.flatten(y_true)
    if len(flat) != n:
        raise ValueError(f"The model has {n} outputs but {len(flat)} targets were given")
    return flat


class CompiledMetrics:
    def __init__(self, metrics, weighted_metrics, output_names):
        self._spec = metrics
        self._wspec = weighted_metrics
        self._names = output_names
        self._built = None

    @property
    def metrics(self):
        if self._built is None:
            return []
        return [m for ms, wms in self._built for m in ms + wms]

    def _build(self, y_true, y_pred):
        flat_pred = nest.flatten(y_pred)
        n = len(flat_pred)
        flat_true = _targets(y_true, self._names, n) if n > 1 else [y_true]
        per = _match(self._spec, self._names, n, "metrics") if self._spec else [None] * n
        wper = _match(self._wspec, self._names, n, "metrics") if self._wspec else [None] * n
        built = []
        for i in range(n):
            prefix = f"{self._names[i]}_" if n > 1 and self._names else (
                f"output_{i + 1}_" if n > 1 else "")
            ms = [_metric_object(m, flat_true[i], flat_pred[i], prefix)
                  for m in nest.flatten(per[i]) if m is not None]
            wms = [_metric_object(m, flat_true[i], flat_pred[i], prefix)
                   for m in nest.flatten(wper[i]) if m is not None]
            built.append((ms, wms))
        self._built = built

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self._built is None:
            self._build(y_true, y_pred)
        flat_pred = nest.flatten(y_pred)
        n = len(flat_pred)
        flat_true = _targets(y_true, self._names, n) if n > 1 else [y_true]
        for (ms, wms), yt, yp in zip(self._built, flat_true, flat_pred):
            for m in ms:
                m.update_state(yt, yp)
            for m in wms:
                m.update_state(yt, yp, sample_weight=sample_weight)


def _metric_object(identifier, y_true, y_pred, prefix):
    from .. import metrics as metrics_mod
    if isinstance(identifier, metrics_mod.Metric):
        if prefix and not identifier.name.startswith(prefix):
            identifier._name = prefix + identifier.name
        return identifier
    if identifier in ("accuracy", "acc"):
        yp = y_pred.shape.as_list()
        yt = list(convert_to_tensor(y_true).shape.as_list()) if y_true is not None else yp
        if yp[-1] == 1:
            cls = metrics_mod.BinaryAccuracy
        elif len(yt) < len(yp) or (yt and yt[-1] == 1):
            cls = metrics_mod.SparseCategoricalAccuracy
        else:
            cls = metrics_mod.CategoricalAccuracy
        return cls(name=prefix + identifier)
    if identifier in ("crossentropy", "ce"):
        yp = y_pred.shape.as_list()
        yt = list(convert_to_tensor(y_true).shape.as_list())
        if yp[-1] == 1:
            cls = metrics_mod.BinaryCrossentropy
        elif len(yt) < len(yp) or (yt and yt[-1] == 1):
            cls = metrics_mod.SparseCategoricalCrossentropy
        else:
            cls = metrics_mod.CategoricalCrossentropy
        return cls(name=prefix + identifier)
    obj = metrics_mod.get(identifier)
    if isinstance(obj, metrics_mod.Metric):
        if isinstance(identifier, str):
            obj._name = prefix + identifier
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
    return metrics_mod.MeanMetricWrapper(obj, name=prefix + name)
