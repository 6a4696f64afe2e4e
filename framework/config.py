"""Devices and threading (``tf.config``)."""
import os
from collections import namedtuple

from .backend import gpu as _gpu
from .core.device import get_default_device, set_default_device  # noqa: F401

PhysicalDevice = namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = namedtuple("LogicalDevice", ["name", "device_type"])


def list_physical_devices(device_type=None):
    devs = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devs += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
             for i in range(_gpu.device_count())]
    if device_type is None:
        return devs
    return [d for d in devs if d.device_type == device_type.upper()]


def list_logical_devices(device_type=None):
    return [LogicalDevice(d.name.replace("physical_device", "device"), d.device_type)
            for d in list_physical_devices(device_type)]


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    pass


class experimental:  # noqa: N801 - mirrors tf.config.experimental
    @staticmethod
    def set_memory_growth(device, enable):
        pass

    @staticmethod
    def get_memory_growth(device):
        return True

    list_physical_devices = staticmethod(list_physical_devices)


class threading:  # noqa: N801 - mirrors tf.config.threading
    _intra = 0
    _inter = 0

    @staticmethod
    def set_intra_op_parallelism_threads(num_threads):
        threading._intra = int(num_threads)
        if num_threads:
            from .backend.threads import limit_threads
            limit_threads(int(num_threads))

    @staticmethod
    def get_intra_op_parallelism_threads():
        return threading._intra

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads):
        threading._inter = int(num_threads)

    @staticmethod
    def get_inter_op_parallelism_threads():
        return threading._inter


_run_eagerly = [False]


def run_functions_eagerly(run_eagerly):
    _run_eagerly[0] = bool(run_eagerly)


def functions_run_eagerly():
    return _run_eagerly[0]


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly

_soft_placement = [True]


def set_soft_device_placement(enabled):
    """Recorded for ``get_soft_device_placement``: tfx always falls back to a device that can
    run an op (soft placement is always on in effect)."""
    _soft_placement[0] = bool(enabled)


def get_soft_device_placement():
    return _soft_placement[0]


LogicalDeviceConfiguration = namedtuple(
    "LogicalDeviceConfiguration",
    ["memory_limit", "experimental_priority", "experimental_device_ordinal"],
    defaults=[None, None, None])

_logical_config = {}


def set_logical_device_configuration(device, logical_devices):
    """Recorded only: tfx does not split a physical device into logical ones."""
    _logical_config[device.name] = list(logical_devices)


def get_logical_device_configuration(device):
    return _logical_config.get(device.name)


class optimizer:  # noqa: N801 - mirrors tf.config.optimizer
    """Grappler's switches (``tf.config.optimizer``). tfx has no Grappler: its graph passes
    and ``jit_compile`` are fixed per function, so these are recorded and read back (as
    TensorFlow returns them) without changing how tfx runs."""

    _options = {}
    _jit = [""]

    @staticmethod
    def get_experimental_options():
        return {**optimizer._options, "disable_model_pruning":
                optimizer._options.get("disable_model_pruning", False),
                "disable_meta_optimizer": optimizer._options.get("disable_meta_optimizer",
                                                                  False)}

    @staticmethod
    def set_experimental_options(options):
        optimizer._options.update(dict(options))

    @staticmethod
    def get_jit():
        """``'autoclustering'`` after ``set_jit(True)``, else ``''``."""
        return optimizer._jit[0]

    @staticmethod
    def set_jit(enabled):
        optimizer._jit[0] = "autoclustering" if enabled else ""


def _no_cluster(what):
    from .errors import UnimplementedError
    return UnimplementedError(None, f"tfx.config.{what}",
                              f"tfx.config.{what}: tfx runs in one process and has no remote "
                              "workers or servers to connect to; run the program where the "
                              "data is (tfx.distribute strategies cover the local devices).")


def experimental_connect_to_cluster(cluster_spec_or_resolver, job_name="localhost",
                                    task_index=0, protocol=None, make_master_device_default=True,
                                    cluster_device_filters=None):
    """Raises UnimplementedError: tfx has no cluster runtime."""
    raise _no_cluster("experimental_connect_to_cluster")


def experimental_connect_to_host(remote_host=None, job_name="worker"):
    """Raises UnimplementedError: tfx has no cluster runtime."""
    raise _no_cluster("experimental_connect_to_host")
