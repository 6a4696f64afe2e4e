"""``tfx.keras.mixed_precision``: Keras 3's mixed-precision names (dtype policies and the
loss-scaling optimizer). ``set_global_policy("mixed_float16")`` makes layers built afterwards
keep float32 variables and compute in float16."""
from .dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from .optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy",
           "set_global_policy", "LossScaleOptimizer"]
