"""The spec's fixed structure as pydantic v2 models (``tfx schema`` prints its JSON Schema).

Component arguments (layer, loss, optimizer, callback arguments) are open here and checked
against the registry and each component's constructor in ``cli.spec.check``.
"""
from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Spec", "DataSource", "DataSpec", "TrainingSpec", "BackupSpec", "OutputSpec",
           "SECTIONS"]

Component = Union[str, Dict[str, Any]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataSource(_Strict):
    """One data split: a CSV (with a header), an .npz/.npy file, or a registered loader."""
    path: Optional[str] = Field(None, description="CSV, .npz or .npy file, relative to the spec")
    loader: Optional[str] = Field(None, description="a registered data loader's name")
    args: Dict[str, Any] = Field(default_factory=dict, description="arguments of the loader")
    target: Optional[Union[str, List[str]]] = Field(
        None, description="CSV target column(s); everything else is a feature")
    features: Optional[List[str]] = Field(None, description="CSV feature columns (default: all "
                                                             "but the target)")
    x_key: str = Field("x", description=".npz array holding the features")
    y_key: str = Field("y", description=".npz array holding the targets")
    stream: bool = Field(False, description="read a CSV through tfx.data in blocks while "
                                            "training instead of loading it whole (files "
                                            "larger than memory)")


class DataSpec(_Strict):
    train: DataSource
    validation: Optional[DataSource] = None
    test: Optional[DataSource] = None
    validation_split: float = Field(0.0, ge=0.0, lt=1.0)
    shuffle: bool = True
    standardize: bool = Field(False, description="adapt a Normalization layer on the training "
                                                 "features and put it first in the model")


class BackupSpec(_Strict):
    """How often a run backs itself up mid-epoch (weights, optimizer, random streams, sample
    order), so that ``tfx train --resume`` continues a killed run at the batch it reached.
    A backup is also taken at every epoch end."""
    every_batches: Optional[int] = Field(None, ge=1, description="back up every N batches")
    every_seconds: Optional[float] = Field(
        30.0, gt=0, description="back up when this many seconds passed since the last backup")


class TrainingSpec(_Strict):
    optimizer: Component = "adam"
    loss: Optional[Union[Component, List[Component]]] = None
    loss_weights: Optional[Union[List[float], Dict[str, float]]] = None
    metrics: List[Component] = Field(default_factory=list)
    epochs: int = Field(10, ge=1)
    batch_size: int = Field(32, ge=1)
    callbacks: List[Component] = Field(default_factory=list)
    validation_freq: int = Field(1, ge=1)
    steps_per_epoch: Optional[int] = Field(None, ge=1)
    class_weight: Optional[Dict[int, float]] = None
    verbose: Literal[0, 1, 2] = 1
    backup: BackupSpec = Field(default_factory=BackupSpec)


class OutputSpec(_Strict):
    dir: str = Field("runs", description="parent folder of run folders")
    name: Optional[str] = Field(None, description="run folder name prefix (default: spec name)")
    plots: bool = True
    tensorboard: bool = True


class Spec(_Strict):
    model: Union[List[Component], Dict[str, Any]] = Field(
        description="a list of layers (Sequential), {inputs, layers, outputs} (functional), "
                    "or {class: RegisteredModel, args: {...}}")
    data: DataSpec
    training: TrainingSpec = Field(default_factory=TrainingSpec)
    output: OutputSpec = Field(default_factory=OutputSpec)
    plugins: List[str] = Field(default_factory=list, description="plugin files or modules")
    seed: Optional[int] = None
    device: Literal["auto", "cpu", "gpu"] = "cpu"


SECTIONS = list(Spec.model_fields)
