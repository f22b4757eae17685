"""The differentiable functions: ``import autograd_lite.functions as F``.

Each is a `Function` subclass with a short gradient formula, plus a lowercase front door.
Grouped by kind: arithmetic, elementwise, shape, reduction, linalg, softmax, loss, and the
neural-network layers' primitives: conv, pooling, normalization, dropout, embedding.
"""

from autograd_lite.functions import numpy_dispatch
from autograd_lite.functions.arithmetic import (
    Add,
    AddScalar,
    AsType,
    Div,
    Mul,
    MulScalar,
    Neg,
    Pow,
    PowScalar,
    Sub,
    add,
    astype,
    div,
    mul,
    neg,
    pow,
    sub,
)
from autograd_lite.functions.conv import Col2im, Im2col, col2im, conv2d, im2col
from autograd_lite.functions.dropout import dropout
from autograd_lite.functions.elementwise import (
    Abs,
    Clip,
    Cos,
    Erf,
    Exp,
    LeakyReLU,
    Log,
    Maximum,
    Minimum,
    ReLU,
    Sigmoid,
    Sin,
    Softplus,
    Sqrt,
    Tanh,
    Where,
    abs,
    clip,
    cos,
    erf,
    exp,
    gelu,
    leaky_relu,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
    where,
)
from autograd_lite.functions.embedding import embedding
from autograd_lite.functions.linalg import Linear, MatMul, linear, matmul
from autograd_lite.functions.loss import (
    CrossEntropy,
    accuracy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from autograd_lite.functions.normalization import batch_norm
from autograd_lite.functions.pooling import (
    AvgPool2d,
    AvgPool2dGrad,
    MaxPool2d,
    PickAtMax,
    RouteToMax,
    avg_pool2d,
    max_pool2d,
)
from autograd_lite.functions.reduction import (
    LogSumExp,
    Max,
    Mean,
    Min,
    Sum,
    Var,
    logsumexp,
    max,
    mean,
    min,
    sum,
    var,
)
from autograd_lite.functions.shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    GetItemGrad,
    Pad,
    Reshape,
    Split,
    Stack,
    SumTo,
    Transpose,
    broadcast_to,
    concatenate,
    flatten,
    getitem,
    pad,
    reshape,
    split,
    stack,
    sum_to,
    swapaxes,
    transpose,
)
from autograd_lite.functions.softmax import LogSoftmax, Softmax, log_softmax, softmax

# isort: split
# -- transformer building blocks: layer norm, attention, the normal CDF behind GELU
from autograd_lite.functions.attention import (
    MaskedSoftmax,
    attention_weights,
    masked_softmax,
    scaled_dot_product_attention,
)
from autograd_lite.functions.gaussian import Gelu, GeluTanh, Ndtr, ndtr
from autograd_lite.functions.layer_norm import LayerNormAffine, LayerNormalize, layer_norm

__all__ = [name for name in dir() if not name.startswith("_")]
