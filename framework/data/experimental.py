"""``tfx.data.experimental``: the parts of ``tf.data.experimental`` that code still uses."""
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .options import (AutoShardPolicy, AutotuneOptions, DistributeOptions, ExternalStatePolicy,
                      OptimizationOptions, ThreadingOptions)
from .readers import CsvDataset, make_csv_dataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "CsvDataset",
           "make_csv_dataset", "cardinality", "enumerate_dataset", "group_by_window",
           "unbatch", "get_single_element", "assert_cardinality", "AutoShardPolicy",
           "AutotuneOptions", "DistributeOptions", "ExternalStatePolicy", "OptimizationOptions",
           "ThreadingOptions", "get_next_as_optional"]


def cardinality(dataset):
    return dataset.cardinality()


def get_single_element(dataset):
    return dataset.get_single_element()


def enumerate_dataset(start=0):
    return lambda ds: ds.enumerate(start)


def unbatch():
    return lambda ds: ds.unbatch()


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda ds: ds.group_by_window(key_func, reduce_func, window_size, window_size_func)


def get_next_as_optional(iterator):
    """``iterator.get_next_as_optional()``: the next element as an Optional."""
    return iterator.get_next_as_optional()


def assert_cardinality(expected_cardinality):
    """A transformation that declares the dataset's cardinality (TF checks it while reading;
    here the count is checked when a pass ends)."""
    from .control import AssertCardinality
    return lambda ds: AssertCardinality(ds, int(expected_cardinality))


del Dataset
