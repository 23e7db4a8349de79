"""The regularization layers: Dropout, GaussianDropout, GaussianNoise,
SpatialDropout1D/2D/3D (BigDL's Python constructor signatures), and
AlphaDropout and FeatureAlphaDropout (the same style).

Each layer validates its arguments, takes a seed (explicit, else from
:func:`bigdl_reg.set_seed`'s global seeder) and runs on a backend: the Scala
engine over py4j ("jvm") or the pure-NumPy re-implementation ("numpy"). Both
give the same bits for the same seed (see docs/architecture.md).

Arrays in and out are numpy arrays. Element types: ``bigdl_type="float"``
computes in float32, ``"double"`` in float64. A float32 input to a "double"
layer is upcast (exactly) and the output is float64; a float64 input to a
"float" layer is a TypeError (cast it yourself: ``x.astype(np.float32)``),
as are integer, bool, complex, float16 and non-numeric inputs. Lists are
converted with ``np.asarray`` first, so a list of Python floats is float64.
"""
from __future__ import annotations

import numpy as np

from . import _seeding, _validation as v
from .backends import get_backend

__all__ = [
    "Layer",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "AlphaDropout",
    "FeatureAlphaDropout",
]


class Layer:
    """What the layers share: seed, modes, dtype policy, noise access and the backend.

    Subclasses validate their own arguments and call ``super().__init__``
    with ``params`` (the validated Python keywords the backend receives).

    Errors every layer raises, with the text of docs/architecture.md:

    * ``ValueError``: an argument out of range (at construction: also a
      ``bigdl_type`` other than "float"/"double", a seed outside [0, 2**64),
      an unknown backend name), an input rank the layer does not accept, a
      gradient whose shape differs from the last forward's input;
    * ``TypeError``: an input that is not float32/float64, or float64 into a
      ``"float"`` layer (never a silent downcast);
    * ``RuntimeError``: ``backward`` before any forward, any call on a closed
      layer; :class:`bigdl_reg.backends.jvm.JVMError` (a ``RuntimeError``)
      when the JVM behind the "jvm" backend fails.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import Dropout
        >>> with Dropout(0.5, seed=1, backend="numpy") as d:
        ...     print(d.is_training(), d.step, d.backend, d.bigdl_type, d.dtype)
        ...     y = d.forward(np.ones((2, 3), np.float32))
        ...     print(d.step, d.evaluate().is_training(), d.get_config())
        True 0 numpy float float32
        1 False {'init_p': 0.5, 'inplace': False, 'scale': True, 'bigdl_type': 'float', 'seed': 1}
        >>> d.forward(np.ones(3, np.float32))
        Traceback (most recent call last):
            ...
        RuntimeError: Dropout: the layer is closed
    """

    def __init__(self, params: dict, bigdl_type="float", seed=None, backend=None):
        name = type(self).__name__
        self._dtype = v.check_bigdl_type(name, bigdl_type)
        if seed is not None:
            seed = v.check_seed(name, seed)
        self._backend = backend if _is_backend_object(backend) else get_backend(backend)
        self._params = dict(params)
        self._impl = self._backend.create(name, self._params, self._dtype, self._resolve_seed(seed))
        self._closed = False

    @staticmethod
    def _resolve_seed(seed):
        return _seeding.next_seed() if seed is None else seed

    # -- computation -----------------------------------------------------
    def forward(self, x, batch_offset=0):
        """The layer's output for ``x`` (a training forward advances ``step``).

        ``batch_offset``: ``x`` is the rows ``batch_offset, batch_offset + 1, ...``
        (along axis 0) of a larger logical batch, and draws exactly the noise
        that one forward on that whole batch would draw for those rows. Pieces
        of a batch forwarded at their offsets, with the same seed and step, in
        any order, give the bytes of one forward on the whole batch.
        """
        impl = self._live_impl()
        layer = type(self).__name__

        def compute(array, out):
            offset = v.check_batch_offset(layer, batch_offset, array.shape)
            return impl.forward(array, out, offset)
        return self._run(x, compute)

    def backward(self, x, grad_output):
        """The gradient w.r.t. the input of the most recent forward, for ``grad_output``.

        It applies that forward's own noise, recomputed from its (seed, step)
        (nothing is stored), in the mode the forward ran in: the training
        formula's derivative, or the evaluate formula's.

        Args:
            x: the input of that forward (accepted for BigDL's signature; the
                noise layers' gradients do not depend on it).
            grad_output: the gradient w.r.t. the output, of the input's shape.

        Returns:
            A new array of the layer's dtype (``grad_output`` itself, overwritten,
            for ``Dropout(inplace=True)``).

        Raises:
            RuntimeError: no forward yet. ValueError: ``grad_output``'s shape
            differs from that forward's input. TypeError: see the dtype policy.
        """
        impl = self._live_impl()
        x = self._as_operand(x, "input")
        return self._run(grad_output, lambda grad, out: impl.backward(x, grad, out), "grad_output")

    def noise(self) -> np.ndarray:
        """The noise of the most recent training forward, recomputed from its
        (seed, step) rather than stored: a bool keep mask (Dropout, the
        Spatial layers, AlphaDropout, FeatureAlphaDropout), the factors
        ``T(1 + sd*z)`` (GaussianDropout) or the addends ``T(stddev*z)``
        (GaussianNoise), shaped like that forward's noise shape (1 on the
        axes where the draw is shared). Each call allocates the result (1
        byte per cell for a mask, 4 or 8 for factors and addends) and a
        temporary of the element type per cell; nothing is kept between
        calls. RuntimeError before any training forward."""
        return self._live_impl().noise()

    def _run(self, array, compute, name="input"):
        if self._inplace:
            return self._run_inplace(array, compute, name)
        return compute(self._as_operand(array, name), None)

    def _run_inplace(self, array, compute, name):
        """Write the result into the caller's array and return that array."""
        layer = type(self).__name__
        v.check_inplace_target(layer, array, self._dtype, name)
        if array.flags.c_contiguous and array.dtype == self._dtype:
            return compute(array, array)
        return _write_back(array, compute(_c_contiguous(array, self._dtype), None))

    def _as_operand(self, array, name) -> np.ndarray:
        """The dtype policy, then a C-contiguous array of the layer's dtype."""
        array = np.asarray(array)
        v.check_input_dtype(type(self).__name__, array, self._dtype, name)
        return _c_contiguous(array, self._dtype)

    @property
    def _inplace(self) -> bool:
        return False

    # -- modes and state -------------------------------------------------
    def training(self):
        """Training mode (the default): fresh noise at every forward. Returns self."""
        self._live_impl().set_training(True)
        return self

    def evaluate(self):
        """Evaluation mode: the deterministic formula of each layer. Returns self."""
        self._live_impl().set_training(False)
        return self

    def is_training(self) -> bool:
        """True in training mode (the default), False after :meth:`evaluate`."""
        return self._live_impl().is_training()

    def set_seed(self, seed):
        """Set this layer's seed (unsigned 64-bit) and reset its step to 0. Returns self.

        Raises ValueError (negative or >= 2**64) or TypeError (not an int)."""
        self._live_impl().set_seed(v.check_seed(type(self).__name__, seed))
        return self

    @property
    def seed(self) -> int:
        """The layer's seed, an unsigned 64-bit int (explicit or from the global seeder)."""
        return self._impl.seed

    @property
    def step(self) -> int:
        """Number of training forwards since construction or the last set_seed."""
        return self._impl.step

    @property
    def backend(self) -> str:
        """The backend running this layer: "jvm" or "numpy" ("auto" resolved)."""
        return self._backend.name

    @property
    def bigdl_type(self) -> str:
        """ "float" or "double", as given to the constructor."""
        return v.bigdl_type_name(self._dtype)

    @property
    def dtype(self) -> np.dtype:
        """The element type the layer computes in and returns: float32 or float64."""
        return self._dtype

    def get_config(self) -> dict:
        """Constructor arguments (Keras style): ``type(layer)(**layer.get_config())``
        builds an equivalent layer at step 0. The backend is not part of it."""
        return {**self._params, "bigdl_type": self.bigdl_type, "seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"

    # -- lifecycle -------------------------------------------------------
    def close(self) -> None:
        """Release the backend module (idempotent); later calls raise RuntimeError.
        ``with`` blocks call it on exit."""
        if not self._closed:
            self._closed = True
            self._impl.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _live_impl(self):
        if self._closed:
            raise RuntimeError(f"{type(self).__name__}: the layer is closed")
        return self._impl

    def _set_params(self, params: dict) -> None:
        """Change parameters in place, keeping seed and step (backend permitting)."""
        impl = self._live_impl()
        if not hasattr(impl, "set_p"):
            raise NotImplementedError(f"the {self.backend} backend cannot change parameters in place")
        impl.set_p(params["init_p"])
        self._params = dict(params)


def _is_backend_object(backend) -> bool:
    return backend is not None and not isinstance(backend, str) and hasattr(backend, "create")


def _c_contiguous(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A C-contiguous array of ``dtype`` (a copy only when needed; 0-d stays 0-d,
    unlike ``np.ascontiguousarray``)."""
    return np.asarray(array, dtype=dtype, order="C")


def _write_back(array: np.ndarray, result: np.ndarray) -> np.ndarray:
    array[...] = result
    return array


def _with_noise_shape(layer: str, params: dict, noise_shape) -> dict:
    """``params`` plus a validated ``noise_shape`` when one is given (absent = the input's shape)."""
    dims = v.check_noise_shape(layer, noise_shape)
    return params if dims is None else {**params, "noise_shape": dims}


class Dropout(Layer):
    r"""Zeroes each element with probability ``init_p`` during training and
    scales the kept ones by ``1 / (1 - init_p)``.

    Every element is dropped independently; which ones is a pure function of
    (seed, step, flat index), so the same seed gives the same masks on every
    backend and machine. Dropped elements are ``+0`` even where the input is
    NaN or infinite.

    Args:
        init_p (float): probability of an element to be zeroed, in [0, 1].
            Default: 0.5
        inplace (bool): write the output into the input array (and the
            gradient into ``grad_output``). Default: ``False``
        scale (bool): rescale kept elements by ``1 / (1 - init_p)`` in
            training. Without it, evaluation multiplies by ``1 - init_p``
            instead. Default: ``True``
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).
        noise_shape (tuple, optional): Keras' ``noise_shape``: one entry
            per input axis, ``None`` (the input's size), 1 (one draw shared
            along that axis) or the input's size. Default: the input's shape.

    Shape:
        - Input: any shape, including 0-d and empty.
        - Output: the input's shape.

    Training forward: ``keep ? x * T(1/(1-p)) : +0`` (scale) or
    ``keep ? x : +0`` (no scale), ``T`` rounding to the element type.
    Evaluation: ``x`` (scale) or ``x * T(1-p)`` (no scale). ``backward``
    applies the same mask and factor to the gradient.

    Raises:
        ValueError: ``init_p`` outside [0, 1], NaN included. TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import Dropout
        >>> m = Dropout(0.5, seed=42, backend="numpy")
        >>> m
        Dropout(init_p=0.5, inplace=False, scale=True, bigdl_type='float', seed=42)
        >>> x = np.arange(1, 17, dtype=np.float32).reshape(2, 8)
        >>> m.forward(x)
        array([[ 2.,  0.,  6.,  8.,  0.,  0., 14., 16.],
               [18., 20.,  0., 24., 26., 28., 30., 32.]], dtype=float32)
        >>> m.backward(x, np.ones_like(x))
        array([[2., 0., 2., 2., 0., 0., 2., 2.],
               [2., 2., 0., 2., 2., 2., 2., 2.]], dtype=float32)
        >>> m.step
        1
        >>> m.evaluate().forward(x)[0]
        array([1., 2., 3., 4., 5., 6., 7., 8.], dtype=float32)
    """

    def __init__(self, init_p=0.5, inplace=False, scale=True, bigdl_type="float", seed=None, backend=None,
                 noise_shape=None):
        layer = type(self).__name__
        params = {
            "init_p": v.check_init_p(layer, init_p),
            "inplace": v.check_bool(layer, "inplace", inplace),
            "scale": v.check_bool(layer, "scale", scale),
        }
        super().__init__(_with_noise_shape(layer, params, noise_shape), bigdl_type, seed, backend)

    @property
    def _inplace(self) -> bool:
        return self._params["inplace"]

    @property
    def p(self) -> float:
        return self._params["init_p"]

    def set_p(self, p):
        """Change the drop probability (BigDL's ``setP``); seed and step are kept. Returns self."""
        self._set_params({**self._params, "init_p": v.check_init_p(type(self).__name__, p)})
        return self


class GaussianDropout(Layer):
    r"""Multiplies each element by ``1 + sd * z`` during training, with ``z``
    a standard normal and ``sd = sqrt(rate / (1 - rate))`` (Srivastava et
    al., 2014): multiplicative noise with mean 1 and variance
    ``rate / (1 - rate)``, so no rescaling is needed at evaluation.

    Args:
        rate (float): drop probability of the equivalent Dropout, in [0, 1).
            0 is the identity.
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).
        noise_shape (tuple, optional): Keras' ``noise_shape``: one entry
            per input axis, ``None`` (the input's size), 1 (one draw shared
            along that axis) or the input's size. Default: the input's shape.

    Shape:
        - Input: any shape, including 0-d and empty.
        - Output: the input's shape.

    Training forward: ``x * T(1 + sd*z)``; evaluation: ``x``. ``backward``
    multiplies the gradient by the forward's own factors (not fresh noise).

    Raises:
        ValueError: ``rate`` outside [0, 1), NaN included. TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import GaussianDropout
        >>> m = GaussianDropout(0.2, seed=42, backend="numpy")
        >>> m.forward(np.ones(4, dtype=np.float32))
        array([1.4580603, 0.5596602, 1.5577008, 0.8663011], dtype=float32)
        >>> m.evaluate().forward(np.ones(4, dtype=np.float32))
        array([1., 1., 1., 1.], dtype=float32)
    """

    def __init__(self, rate, bigdl_type="float", seed=None, backend=None, noise_shape=None):
        layer = type(self).__name__
        params = {"rate": v.check_rate(layer, rate)}
        super().__init__(_with_noise_shape(layer, params, noise_shape), bigdl_type, seed, backend)


class GaussianNoise(Layer):
    r"""Adds zero-mean Gaussian noise of standard deviation ``stddev`` during
    training (a regularizer against overfitting; Keras' GaussianNoise).

    Args:
        stddev (float): standard deviation of the noise, finite and >= 0.
            0 is the identity.
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).
        noise_shape (tuple, optional): Keras' ``noise_shape``: one entry
            per input axis, ``None`` (the input's size), 1 (one draw shared
            along that axis) or the input's size. Default: the input's shape.

    Shape:
        - Input: any shape, including 0-d and empty.
        - Output: the input's shape.

    Training forward: ``x + T(stddev*z)``; evaluation: ``x``. The gradient
    passes through unchanged in both modes.

    Raises:
        ValueError: ``stddev`` negative, infinite or NaN. TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import GaussianNoise
        >>> m = GaussianNoise(0.1, bigdl_type="double", seed=42, backend="numpy")
        >>> m.forward(np.zeros(3))
        array([ 0.09161205, -0.08806796,  0.11154016])
        >>> m.backward(np.zeros(3), np.ones(3))
        array([1., 1., 1.])
    """

    def __init__(self, stddev, bigdl_type="float", seed=None, backend=None, noise_shape=None):
        layer = type(self).__name__
        params = {"stddev": v.check_stddev(layer, stddev)}
        super().__init__(_with_noise_shape(layer, params, noise_shape), bigdl_type, seed, backend)


class SpatialDropout1D(Layer):
    r"""Drops whole channels of a sequence: one draw per (sample, channel),
    shared by every time step (Tompson et al., 2015). Kept elements are
    *not* rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        init_p (float): probability of a channel to be zeroed, in [0, 1].
            Default: 0.5
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).

    Shape:
        - Input: :math:`(N, T, C)` (noise shape :math:`(N, 1, C)`) or
          :math:`(T, C)` (noise shape :math:`(1, C)`).
        - Output: the input's shape.

    Training forward: ``keep(n, c) ? x : +0``; evaluation: ``x * T(1 - p)``.

    Raises:
        ValueError: ``init_p`` outside [0, 1], NaN included; an input that
        is not 2-D or 3-D (at forward). TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout1D
        >>> m = SpatialDropout1D(0.5, seed=42, backend="numpy")
        >>> m.forward(np.ones((1, 3, 4), dtype=np.float32))
        array([[[1., 0., 1., 1.],
                [1., 0., 1., 1.],
                [1., 0., 1., 1.]]], dtype=float32)
    """

    def __init__(self, init_p=0.5, bigdl_type="float", seed=None, backend=None):
        super().__init__({"init_p": v.check_init_p(type(self).__name__, init_p)}, bigdl_type, seed, backend)


class SpatialDropout2D(Layer):
    r"""Drops whole feature maps: one draw per (sample, channel), shared by
    every pixel of the map (Tompson et al., 2015). Kept elements are *not*
    rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        init_p (float): probability of a channel to be zeroed, in [0, 1].
            Default: 0.5
        data_format (str): "NCHW" (channels first) or "NHWC" (channels
            last); Keras' "channels_first" / "channels_last" are accepted as
            aliases. Case-sensitive. Default: "NCHW"
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).

    Shape:
        - NCHW input: :math:`(N, C, H, W)` (noise :math:`(N, C, 1, 1)`) or
          :math:`(C, H, W)` (noise :math:`(C, 1, 1)`).
        - NHWC input: :math:`(N, H, W, C)` (noise :math:`(N, 1, 1, C)`) or
          :math:`(H, W, C)` (noise :math:`(1, 1, C)`).
        - Output: the input's shape.

    Training forward: ``keep(n, c) ? x : +0``; evaluation: ``x * T(1 - p)``.

    Raises:
        ValueError: ``init_p`` outside [0, 1]; ``data_format`` not one of
        the names above; an input that is not 3-D or 4-D (at forward). TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout2D
        >>> m = SpatialDropout2D(0.5, seed=42, backend="numpy")
        >>> m.forward(np.ones((1, 4, 2, 2), dtype=np.float32))[0, :, 0, 0]
        array([1., 0., 1., 1.], dtype=float32)
        >>> m.evaluate().forward(np.ones((1, 4, 2, 2), dtype=np.float32))[0, :, 0, 0]
        array([0.5, 0.5, 0.5, 0.5], dtype=float32)
    """

    def __init__(self, init_p=0.5, data_format="NCHW", bigdl_type="float", seed=None, backend=None):
        layer = type(self).__name__
        params = {
            "init_p": v.check_init_p(layer, init_p),
            "data_format": v.check_data_format(layer, data_format),
        }
        super().__init__(params, bigdl_type, seed, backend)


class SpatialDropout3D(Layer):
    r"""Drops whole 3-D feature volumes: one draw per (sample, channel),
    shared by every voxel (Tompson et al., 2015). Kept elements are *not*
    rescaled; evaluation multiplies by ``1 - init_p`` instead.

    Args:
        init_p (float): probability of a channel to be zeroed, in [0, 1].
            Default: 0.5
        data_format (str): "NCHW" (channels first) or "NHWC" (channels
            last); Keras' "channels_first" / "channels_last" are accepted as
            aliases. Case-sensitive. Default: "NCHW"
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).

    Shape:
        - NCHW input: :math:`(N, C, D, H, W)` (noise :math:`(N, C, 1, 1, 1)`)
          or :math:`(C, D, H, W)` (noise :math:`(C, 1, 1, 1)`).
        - NHWC input: :math:`(N, D, H, W, C)` (noise :math:`(N, 1, 1, 1, C)`)
          or :math:`(D, H, W, C)` (noise :math:`(1, 1, 1, C)`).
        - Output: the input's shape.

    Training forward: ``keep(n, c) ? x : +0``; evaluation: ``x * T(1 - p)``.

    Raises:
        ValueError: ``init_p`` outside [0, 1]; ``data_format`` not one of
        the names above; an input that is not 4-D or 5-D (at forward). TypeError: a
        value of the wrong type. Shared arguments, inputs and state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import SpatialDropout3D
        >>> m = SpatialDropout3D(0.5, data_format="NHWC", seed=42, backend="numpy")
        >>> y = m.forward(np.ones((2, 2, 2, 2, 3), dtype=np.float32))
        >>> y[:, 0, 0, 0, :]
        array([[1., 0., 1.],
               [1., 0., 0.]], dtype=float32)
        >>> bool((y == y[:, :1, :1, :1, :]).all())
        True
    """

    def __init__(self, init_p=0.5, data_format="NCHW", bigdl_type="float", seed=None, backend=None):
        layer = type(self).__name__
        params = {
            "init_p": v.check_init_p(layer, init_p),
            "data_format": v.check_data_format(layer, data_format),
        }
        super().__init__(params, bigdl_type, seed, backend)


class AlphaDropout(Layer):
    r"""Dropout for self-normalizing networks (Klambauer et al., 2017): keeps
    the zero mean and unit variance of SELU activations. A dropped element
    is set to SELU's saturation value rather than 0, and every element is
    then corrected by an affine map so mean and variance are unchanged.

    With :math:`\alpha' = -1.7580993408473766`,
    :math:`a = 1/\sqrt{(1-p)(1 + p\alpha'^2)}` and :math:`b = -a\alpha' p`
    (in double), training gives ``keep ? x*T(a) + T(b) : T(a*alpha' + b)``
    and the gradient ``keep ? g*T(a) : +0``; evaluation is the identity. The
    mask is drawn exactly as Dropout's (same seed, same cells kept).

    Args:
        init_p (float): probability of an element to be dropped, in [0, 1).
            0 is the identity. Default: 0.5
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).
        noise_shape (tuple, optional): Keras' ``noise_shape``: one entry
            per input axis, ``None`` (the input's size), 1 (one draw shared
            along that axis) or the input's size. Default: the input's shape.

    Shape:
        - Input: any shape, including 0-d and empty.
        - Output: the input's shape.

    Raises:
        ValueError: ``init_p`` outside [0, 1), NaN included; a ``noise_shape``
        entry below 0, or one that does not fit the input (at forward).
        TypeError: a value of the wrong type. Shared arguments, inputs and
        state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import AlphaDropout
        >>> m = AlphaDropout(0.5, seed=42, backend="numpy")
        >>> m.forward(np.zeros(8, dtype=np.float32))  # kept: 0*a + b; dropped: a*alpha' + b
        array([ 0.77919394, -0.77919394,  0.77919394,  0.77919394, -0.77919394,
               -0.77919394,  0.77919394,  0.77919394], dtype=float32)
        >>> m.noise()
        array([ True, False,  True,  True, False, False,  True,  True])
    """

    def __init__(self, init_p=0.5, bigdl_type="float", seed=None, backend=None, noise_shape=None):
        layer = type(self).__name__
        params = {"init_p": v.check_alpha_p(layer, init_p)}
        super().__init__(_with_noise_shape(layer, params, noise_shape), bigdl_type, seed, backend)

    @property
    def p(self) -> float:
        return self._params["init_p"]


class FeatureAlphaDropout(Layer):
    r"""AlphaDropout on whole channels (PyTorch's FeatureAlphaDropout): one
    draw per (sample, channel), with the noise shapes of SpatialDropout2D
    (3-D and 4-D inputs) and SpatialDropout3D (5-D inputs). A 4-D input is
    read as a batch of 2-D maps, as PyTorch does.

    Args:
        init_p (float): probability of a channel to be dropped, in [0, 1).
            Default: 0.5
        data_format (str): "NCHW" (channels first) or "NHWC" (channels
            last); Keras' "channels_first" / "channels_last" are accepted as
            aliases. Default: "NCHW"
        bigdl_type (str): "float" (float32) or "double" (float64).
        seed (int, optional): unsigned 64-bit seed; default from the global
            seeder (:func:`bigdl_reg.set_seed`).
        backend (str, optional): "numpy", "jvm" or "auto" (the default).

    Shape:
        - NCHW input: :math:`(N, C, H, W)`, :math:`(C, H, W)` or
          :math:`(N, C, D, H, W)` (noise :math:`(N, C, 1, 1)`,
          :math:`(C, 1, 1)`, :math:`(N, C, 1, 1, 1)`).
        - NHWC input: :math:`(N, H, W, C)`, :math:`(H, W, C)` or
          :math:`(N, D, H, W, C)` (noise :math:`(N, 1, 1, C)`, ...).
        - Output: the input's shape.

    Raises:
        ValueError: ``init_p`` outside [0, 1); ``data_format`` not one of
        the names above; an input that is not 3-D, 4-D or 5-D (at forward).
        TypeError: a value of the wrong type. Shared arguments, inputs and
        state: see :class:`Layer`.

    Examples::

        >>> import numpy as np
        >>> from bigdl_reg.nn import FeatureAlphaDropout
        >>> m = FeatureAlphaDropout(0.5, seed=42, backend="numpy")
        >>> y = m.forward(np.zeros((1, 4, 2, 2), dtype=np.float32))
        >>> y[0, :, 0, 0]
        array([ 0.77919394, -0.77919394,  0.77919394,  0.77919394], dtype=float32)
        >>> m.noise().shape
        (1, 4, 1, 1)
    """

    def __init__(self, init_p=0.5, data_format="NCHW", bigdl_type="float", seed=None, backend=None):
        layer = type(self).__name__
        params = {
            "init_p": v.check_alpha_p(layer, init_p),
            "data_format": v.check_data_format(layer, data_format),
        }
        super().__init__(params, bigdl_type, seed, backend)

    @property
    def p(self) -> float:
        return self._params["init_p"]
