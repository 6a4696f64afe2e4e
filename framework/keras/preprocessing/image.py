"""``keras.preprocessing.image``: image files to arrays and back (Pillow, which ships with
matplotlib), and ``smart_resize``."""
import numpy as np  # images are handed over as NumPy arrays, as Keras does

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]

_RESAMPLE = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib, a dependency
        raise ImportError("Reading and writing images needs Pillow: pip install pillow") \
            from None
    return Image


def _floatx(dtype):
    if dtype is not None:
        return dtype
    from ..backend import floatx
    return floatx()


def _data_format(data_format):
    from ..layers.arguments import standardize_data_format  # layers load on first use
    return standardize_data_format(data_format)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """A PIL image from a file path or file-like object, converted to ``color_mode``
    ("grayscale", "rgb", "rgba") and resized to ``target_size`` ``(height, width)``."""
    Image = _pil()
    if hasattr(path, "read"):
        img = Image.open(path)
    else:
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode in ("rgba", "rgb"):
        if img.mode != color_mode.upper():
            img = img.convert(color_mode.upper())
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            if interpolation not in _RESAMPLE:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. "
                                 f"Supported methods are {', '.join(_RESAMPLE)}")
            resample = getattr(Image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                w, h = img.size
                tw, th = width_height
                crop_h = min(h, (w * th) // tw)
                crop_w = min(w, (h * tw) // th)
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(width_height, resample)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as a 3-D array (a channel axis is added for grayscale)."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=_floatx(dtype))
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x.reshape((1,) + x.shape) if data_format == "channels_first" else \
            x.reshape(x.shape + (1,))
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array as a PIL image; ``scale`` maps its range onto 0-255 first."""
    Image = _pil()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=_floatx(dtype))
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array "
                         f"with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write a 3-D array as an image file (the format from ``file_format`` or the name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is None and isinstance(path, str) and "." in path:
        file_format = path.rsplit(".", 1)[1]
    if file_format is not None and file_format.lower() == "jpg":
        file_format = "jpeg"
    if img.mode == "RGBA" and file_format in ("jpeg", "JPEG"):
        import warnings
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resize to ``size`` ``(height, width)`` without distorting the aspect ratio: the
    largest centred crop of the target's ratio is taken first."""
    from ... import image as tfx_image
    from ...core.tensor import TensorBase, convert_to_tensor
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    was_array = not isinstance(x, TensorBase)
    img = convert_to_tensor(x)
    if img.shape.rank not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         f"`(batch_size, height, width, channels)`, but got input with "
                         f"incorrect rank, of shape {tuple(img.shape.as_list())}.")
    chw = data_format == "channels_first"
    hw = img.shape.as_list()[-2:] if chw else img.shape.as_list()[-3:-1]
    h, w = hw
    th, tw = size
    crop_h = min(h, int(float(w * th) / tw))
    crop_w = min(w, int(float(h * tw) / th))
    crop_h, crop_w = max(crop_h, 1), max(crop_w, 1)
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    if chw:
        img = img[..., top:top + crop_h, left:left + crop_w]
        perm = [0, 2, 3, 1] if img.shape.rank == 4 else [1, 2, 0]
        from ...ops.array_ops import transpose
        img = transpose(img, perm)
    else:
        img = img[..., top:top + crop_h, left:left + crop_w, :]
    out = tfx_image.resize(img, size, method=interpolation)
    if chw:
        from ...ops.array_ops import transpose
        out = transpose(out, [0, 3, 1, 2] if out.shape.rank == 4 else [2, 0, 1])
    return out.numpy() if was_array else out
