"""``keras.utils.text_dataset_from_directory`` and ``image_dataset_from_directory``: a folder
of files (one sub-folder per class) as a batched ``tfx.data.Dataset`` of (data, label).

Files are listed in sorted order, shuffled once with a seeded ``RandomState`` (as Keras does,
so the same seed gives the same file order and the same validation split), then read lazily
while iterating; with ``shuffle`` the batches are reshuffled every epoch."""
import os

import numpy as np  # file lists and labels are host-side bookkeeping

__all__ = ["text_dataset_from_directory", "image_dataset_from_directory"]

_IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_COLOR_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def _say(verbose, text):
    if verbose:
        print(text)


def _files_under(folder, follow_links, formats):
    """Relative paths of matching files below ``folder``, folders and names sorted."""
    walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0])
    for root, _, names in walk:
        for name in sorted(names):
            if name.lower().endswith(formats):
                yield os.path.relpath(os.path.join(root, name), folder)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """``(file_paths, labels, class_names)``: with ``labels="inferred"`` one class per
    sub-folder (sorted, or the order of ``class_names``); a list gives the labels of the
    files in sorted order; None means no labels."""
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} is not a folder")
    if labels == "inferred":
        found = sorted(d for d in os.listdir(directory)
                       if os.path.isdir(os.path.join(directory, d)) and not d.startswith("."))
        if class_names is not None:
            if not set(class_names) <= set(found):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: {found} "
                                 f"(or a subset of it), but received: class_names="
                                 f"{class_names}")
            found = list(class_names)
        class_names = found
        paths, label_list = [], []
        for index, name in enumerate(class_names):
            for rel in _files_under(os.path.join(directory, name), follow_links, formats):
                paths.append(os.path.join(directory, name, rel))
                label_list.append(index)
        labels = np.asarray(label_list, dtype="int32")
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                             "be specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
        paths = [os.path.join(directory, rel)
                 for rel in _files_under(directory, follow_links, formats)]
        if labels is not None:
            if len(labels) != len(paths):
                raise ValueError("Expected the lengths of `labels` to match the number of "
                                 f"files in the target directory. len(labels) is "
                                 f"{len(labels)} while we found {len(paths)} files in "
                                 f"directory {directory}.")
            class_names = [str(v) for v in sorted(set(labels))]
            labels = np.asarray(labels)
    if labels is None:
        _say(verbose, f"Found {len(paths)} files.")
    else:
        _say(verbose, f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)
        paths = [paths[i] for i in order]
        if labels is not None:
            labels = labels[order]
    return paths, labels, class_names


def _check_split(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if bool(validation_split) != bool(subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must "
                         "provide a `seed` argument, to make sure that there is no overlap "
                         "between the training and validation subset.")


def _subset(paths, labels, validation_split, subset, verbose):
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if subset == "training":
        _say(verbose, f"Using {len(paths) - n_val} files for training.")
        keep = slice(None, len(paths) - n_val)
    else:
        _say(verbose, f"Using {n_val} files for validation.")
        keep = slice(len(paths) - n_val, None)
    return paths[keep], None if labels is None else labels[keep]


def _label_spec(label_mode, num_classes):
    from .. import dtypes
    from ..data.specs import TensorSpec
    if label_mode == "int":
        return TensorSpec((), dtypes.int32)
    if label_mode == "binary":
        return TensorSpec((1,), dtypes.float32)
    return TensorSpec((num_classes,), dtypes.float32)


def _encode_label(label, label_mode, num_classes):
    if label_mode == "int":
        return np.int32(label)
    if label_mode == "binary":
        return np.asarray([label], dtype="float32")
    out = np.zeros(num_classes, dtype="float32")
    out[label] = 1.0
    return out


def _dataset(paths, labels, element_spec, read, label_mode, num_classes, batch_size,
             shuffle, seed, class_names):
    from ..data import Dataset
    if label_mode is None or labels is None:
        def gen():
            for p in paths:
                yield read(p)
        signature = element_spec
    else:
        def gen():
            for p, label in zip(paths, labels):
                yield read(p), _encode_label(int(label), label_mode, num_classes)
        signature = (element_spec, _label_spec(label_mode, num_classes))
    ds = Dataset.from_generator(gen, output_signature=signature)
    if shuffle:
        ds = ds.shuffle(buffer_size=(batch_size or 1) * 8, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    ds.class_names = class_names
    ds.file_paths = list(paths)
    return ds


def _check_labels(labels, label_mode, class_names):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError("`labels` argument should be a list/tuple of integer labels, of the "
                         "same size as the number of files in the target directory. If you "
                         "wish to infer the labels from the subdirectory names in the target "
                         'directory, pass `labels="inferred"`. If you wish to get a dataset '
                         f"that only contains text/images (no labels), pass `labels=None`. "
                         f"Received: labels={labels}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError('`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if labels is None or label_mode is None:
        return None
    return label_mode


def _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
           validation_split, subset, follow_links, verbose, formats, element_spec, read):
    label_mode = _check_labels(labels, label_mode, class_names)
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats,
                                                 class_names=class_names, shuffle=shuffle,
                                                 seed=seed, follow_links=follow_links,
                                                 verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    num_classes = len(class_names) if class_names else 0

    def make(which):
        p, lab = _subset(paths, labels, validation_split, which, verbose)
        if not p:
            raise ValueError(f"No files found in directory {directory}. Allowed formats: "
                             f"{formats}")
        return _dataset(p, lab, element_spec, read, label_mode, num_classes, batch_size,
                        shuffle, seed, class_names)
    if subset == "both":
        return make("training"), make("validation")
    return make(subset)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """``.txt`` files as string tensors (cut to ``max_length`` bytes), with labels from
    their sub-folders."""
    from .. import dtypes
    from ..data.specs import TensorSpec

    def read(path):
        with open(path, "rb") as f:
            data = f.read()
        return np.asarray(data[:max_length] if max_length is not None else data,
                          dtype=object)
    return _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                  validation_split, subset, follow_links, verbose, (".txt",),
                  TensorSpec((), dtypes.string), read)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Image files (bmp, gif, jpeg, png) decoded to ``color_mode`` and resized to
    ``image_size`` as float32 ``(height, width, channels)`` tensors, labelled by sub-folder."""
    from .. import dtypes, image
    from ..data.specs import TensorSpec
    from .preprocessing.image import load_img
    if color_mode not in _COLOR_CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can "
                         "be set to `True`.")
    if data_format == "channels_first":
        raise ValueError("image_dataset_from_directory: data_format='channels_first' is not "
                         "supported by tfx; transpose the batches with tfx.transpose.")
    channels = _COLOR_CHANNELS[color_mode]
    height, width = image_size

    def read(path):
        img = np.asarray(load_img(path, color_mode=color_mode), dtype="float32")
        if img.ndim == 2:
            img = img[:, :, None]
        if crop_to_aspect_ratio:
            from .preprocessing.image import smart_resize
            return smart_resize(img, image_size, interpolation=interpolation)
        if pad_to_aspect_ratio:
            out = image.resize_with_pad(img, height, width, method=interpolation)
        else:
            out = image.resize(img, image_size, method=interpolation)
        return out.numpy().astype("float32")
    spec = TensorSpec((height, width, channels), dtypes.float32)
    return _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                  validation_split, subset, follow_links, verbose, _IMAGE_FORMATS, spec, read)
