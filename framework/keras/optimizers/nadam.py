"""Nadam: Adam with Nesterov momentum (``tf.keras.optimizers.Nadam``)."""
from ... import dtypes as _dt
from ...backend import gpu, to_device, xp
from .base import Optimizer

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras 3's momentum-cache schedule
    ``u_t = beta_1 (1 - 0.5 * 0.96 ** t)``, whose running product is a variable.

    Keras 3 dropped the ``0.004`` factor of the older ``0.96 ** (0.004 t)`` schedule (the one
    in Dozat's paper and tf.keras 2); tfx follows the Keras that ships with TensorFlow 2.21.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        variables = list(variables)
        dtype = variables[0].dtype if variables else _dt.float32
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")
        self._slots = list(zip(self._momentums, self._velocities))

    def _update_variables(self, idxs, variables, arrays, lr):
        u = self._u_product
        s = u._v.dtype.type
        decay = s(0.96) ** s(self._step() + 1)
        u._v = xp.asarray(u._v * s(self.beta_1) * (s(1.0) - s(0.5) * decay))
        super()._update_variables(idxs, variables, arrays, lr)

    def _constants(self, lr, step, s):
        one, b1, b2 = s(1), s(self.beta_1), s(self.beta_2)
        u_t = b1 * (one - s(0.5) * s(0.96) ** s(step + 1))
        u_next = b1 * (one - s(0.5) * s(0.96) ** s(step + 2))
        u_product = s(to_device(self._u_product._v, "CPU"))
        return (s(lr), u_t, u_next, u_product, u_product * u_next, b2 ** s(step + 1),
                one - b1, one - b2, s(self.epsilon))

    def _update(self, slots, var, g, c):
        lr, u_t, u_next, u_product, u_product_next, b2_power, omb1, omb2, eps = c
        one = u_t.dtype.type(1)
        m, v = slots
        if g.__class__ is not xp.ndarray and gpu.is_gpu_array(g) and not (
                self._sparse and id(g) in self._sparse):  # one fused kernel
            var._v, m._v, v._v = gpu.nadam_update(
                var._v, m._v, v._v, g, omb1, omb2, u_next / (one - u_product_next),
                (one - u_t) / (one - u_product), one / (one - b2_power), lr, eps)
            return
        old = m._v
        new_m = g - old
        new_m *= omb1  # in place on arrays made here, before anyone can see them
        new_m += old
        m._v = new_m
        old = v._v
        new_v = self._square(g)
        new_v -= old
        new_v *= omb2
        new_v += old
        v._v = new_v
        m_hat = new_m * u_next
        m_hat /= one - u_product_next
        m_hat += g * (one - u_t) / (one - u_product)
        denom = xp.sqrt(new_v / (one - b2_power))
        denom += eps
        m_hat *= lr
        m_hat /= denom
        var._v = var._v - m_hat

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
