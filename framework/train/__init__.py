"""``tfx.train``: checkpoints of object graphs (``tf.train``).

``Checkpoint`` saves the variables reachable from its objects as JSON (the object graph) plus
safetensors (the values), both written atomically; ``CheckpointManager`` numbers them and
keeps the newest few; ``list_variables``/``load_variable`` read a checkpoint without objects.
``ExponentialMovingAverage`` keeps shadow averages of variables; ``Coordinator`` stops threads
together; ``ClusterSpec`` describes a cluster (tfx itself runs in one process).
"""
from .checkpoint import Checkpoint, CheckpointOptions
from .checkpoint_management import (CheckpointManager, CheckpointReader, CheckpointState,
                                    checkpoints_iterator, get_checkpoint_state,
                                    latest_checkpoint, list_variables, load_checkpoint,
                                    load_variable)
from .restore import CheckpointLoadStatus, InitializationOnlyStatus
from .example import (BytesList, Example, Feature, FeatureList, FeatureLists, Features,
                      FloatList, Int64List, SequenceExample)
from .moving_averages import ExponentialMovingAverage
from .cluster import ClusterDef, ClusterSpec, JobDef, ServerDef
from .coordinator import Coordinator
from .views import CheckpointView, TrackableView

__all__ = ["Checkpoint", "CheckpointOptions", "CheckpointManager", "CheckpointState",
           "CheckpointLoadStatus", "InitializationOnlyStatus", "get_checkpoint_state",
           "latest_checkpoint", "list_variables", "load_variable", "load_checkpoint",
           "checkpoints_iterator", "CheckpointReader", "Example", "Features", "Feature",
           "BytesList", "FloatList", "Int64List", "SequenceExample", "FeatureLists",
           "FeatureList", "ExponentialMovingAverage", "ClusterSpec", "ClusterDef", "JobDef",
           "ServerDef",
           "Coordinator", "CheckpointView", "TrackableView"]
