"""The differentiable functions: ``import autograd_lite.functions as F``.

Each is a `Function` subclass with a short gradient formula, plus a lowercase front door.
Grouped by kind: arithmetic, elementwise (with trigonometric and exponential), shape (with
NumPy's manipulation routines), reduction (with cumulative and norm), linalg (with einsum),
softmax, loss, and the neural-network layers' primitives: conv, pooling, normalization,
dropout, embedding. `numpy_dispatch` lets NumPy's own functions run on Variables.
"""

from autograd_lite.functions import numpy_dispatch
from autograd_lite.functions.arithmetic import (
    Add,
    AsType,
    Div,
    Mul,
    Neg,
    Pow,
    Sub,
    add,
    astype,
    div,
    mul,
    neg,
    pow,
    sub,
)
from autograd_lite.functions.conv import (
    Col2im,
    Im2col,
    col2im,
    conv2d,
    conv_transpose2d,
    im2col,
)
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
from autograd_lite.functions.linalg import Linear, MatMul, linear, matmul
from autograd_lite.functions.lookup import embedding
from autograd_lite.functions.loss import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    accuracy,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
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
from autograd_lite.functions.probabilities import LogSoftmax, Softmax, log_softmax, softmax
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
from autograd_lite.functions.regularization import dropout
from autograd_lite.functions.resampling import interpolate
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
from autograd_lite.methods import register_ops

# isort: split
# --- numerics and the NumPy functions on Variables (worktree numerics): kept apart to merge
# -- transformer building blocks: layer norm, attention, the normal CDF behind GELU
from autograd_lite.functions.attention import (
    MaskedSoftmax,
    attention_weights,
    masked_softmax,
    scaled_dot_product_attention,
)
from autograd_lite.functions.contraction import Einsum, einsum
from autograd_lite.functions.cumulative import CumSum, cumsum
from autograd_lite.functions.exponential import (
    Exp2,
    Expm1,
    Log1p,
    Log2,
    Log10,
    LogAddExp,
    exp2,
    expm1,
    log1p,
    log2,
    log10,
    logaddexp,
)
from autograd_lite.functions.gaussian import Gelu, GeluTanh, Ndtr, gelu, ndtr
from autograd_lite.functions.linalg import dot, inner, outer, tensordot, trace, vdot
from autograd_lite.functions.manipulation import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    diagonal,
    diff,
    dstack,
    expand_dims,
    flip,
    hstack,
    moveaxis,
    ravel,
    repeat,
    roll,
    sort,
    squeeze,
    take,
    take_along_axis,
    tile,
    unsqueeze,
    vstack,
)
from autograd_lite.functions.normalization import LayerNormAffine, LayerNormalize, layer_norm
from autograd_lite.functions.norms import PNorm, norm
from autograd_lite.functions.reduction import Prod, ProdOthers, Std, average, prod, std
from autograd_lite.functions.trigonometric import (
    Arccos,
    Arccosh,
    Arcsin,
    Arcsinh,
    Arctan,
    Arctan2,
    Arctanh,
    Cosh,
    Sinh,
    Tan,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    cosh,
    sinh,
    tan,
)

# What the engine and Variable's operators and methods call (the engine never imports this
# library, which is built on it).
register_ops(
    Add=Add, Sub=Sub, Mul=Mul, Div=Div, Pow=Pow, Neg=Neg, matmul=matmul, getitem=getitem,
    astype=lambda x, dtype: AsType(dtype).apply(x), sum_to=lambda x, shape: SumTo(shape).apply(x),
    array_ufunc=numpy_dispatch.array_ufunc, array_function=numpy_dispatch.array_function,
    reshape=reshape, transpose=transpose, swapaxes=swapaxes, flatten=flatten, squeeze=squeeze,
    unsqueeze=unsqueeze, sum=sum, mean=mean, var=var, std=std, prod=prod, max=max, min=min,
    logsumexp=logsumexp, norm=norm, cumsum=cumsum, exp=exp, log=log, sqrt=sqrt, abs=abs,
    tanh=tanh, sigmoid=sigmoid, relu=relu, clip=clip, softmax=softmax, log_softmax=log_softmax,
)

__all__ = [name for name in dir() if not name.startswith("_") and name != "register_ops"]
