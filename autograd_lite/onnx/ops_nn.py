"""Converters of the layers' primitives: pooling, layer normalisation, the attention's masked
softmax, and the im2col of a convolution that no pattern turned into a Conv."""

from __future__ import annotations

import numpy as np

import autograd_lite.functions as F
from autograd_lite.onnx.convert import REFUSED, Context, converts


@converts(F.MaxPool2d)
def _max_pool(ctx: Context) -> str:  # the input is padded already (a Pad with -inf before it)
    return ctx.op("MaxPool", [ctx.input(0)], kernel_shape=list(ctx.fn.kernel_size),
                  strides=list(ctx.fn.stride))


@converts(F.AvgPool2d)
def _avg_pool(ctx: Context) -> str:
    ph, pw = ctx.fn.padding
    return ctx.op("AveragePool", [ctx.input(0)], kernel_shape=list(ctx.fn.kernel_size),
                  strides=list(ctx.fn.stride), pads=[ph, pw, ph, pw], count_include_pad=1)


@converts(F.LayerNormalize, F.LayerNormAffine)
def _layer_norm(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    ndim = len(ctx.shape(0))
    axis = ctx.fn.axes[0] % ndim
    if isinstance(ctx.fn, F.LayerNormalize):
        normalized = ctx.static(ctx.shape(0)[axis:], "the normalised shape")
        scale = [ctx.const(np.ones(normalized, dtype))]
    else:
        scale = [ctx.input(i, dtype) for i in range(1, ctx.n_inputs())]
    return ctx.op("LayerNormalization", [ctx.input(0, dtype)] + scale, axis=axis,
                  epsilon=float(ctx.fn.eps))


@converts(F.MaskedSoftmax)
def _masked_softmax(ctx: Context) -> str:
    dtype = ctx.out_dtype()
    z = ctx.input(0, dtype)
    if ctx.n_inputs() > 1:
        z = ctx.op("Add", [z, ctx.input(1, dtype)])
    keep = ctx.fn.keep
    ndim = len(ctx.out_shape())
    axis = ctx.fn.axis % ndim
    if keep is not None:
        z = ctx.op("Add", [z, ctx.const(np.where(keep, 0, -np.inf).astype(dtype))])
    y = ctx.op("Softmax", [z], axis=axis)
    along = axis - ndim  # negative: the same axis of the (right-aligned) mask
    if keep is not None and -along <= keep.ndim:
        seen = keep.any(axis=along, keepdims=True)
        if not seen.all():  # rows that may see nothing: zeros, as here (Softmax gives NaN)
            y = ctx.op("Mul", [y, ctx.const(seen.astype(dtype))])
    return y


@converts(F.Im2col)
def _im2col(ctx: Context) -> str:
    """Receptive fields as channels: a convolution with one-hot kernels (C*kh*kw of them)."""
    (kh, kw), (sh, sw), (ph, pw) = ctx.fn.kernel_size, ctx.fn.stride, ctx.fn.padding
    (c,) = ctx.static(ctx.shape(0)[1:2], "the channel axis")
    rows = c * kh * kw
    eye = np.eye(rows, dtype=ctx.out_dtype()).reshape(rows, c, kh, kw)
    y = ctx.op("Conv", [ctx.input(0), ctx.const(eye)], kernel_shape=[kh, kw], strides=[sh, sw],
               pads=[ph, pw, ph, pw])
    if ctx.fn.batch_last:  # (N, rows, OH, OW) -> (rows, OH, OW, N)
        y = ctx.op("Transpose", [y], perm=[1, 2, 3, 0])
        return ctx.op("Reshape", [y, ctx.ints([rows, -1])])
    return ctx.op("Reshape", [y, ctx.ints([0, rows, -1])])


REFUSED[F.Col2im] = "col2im is exported only as part of conv_transpose2d (a ConvTranspose)"
for _cls in (F.GetItemGrad, F.RouteToMax, F.PickAtMax, F.AvgPool2dGrad, F.ProdOthers):
    REFUSED[_cls] = ("this op appears only in the graph of a gradient (create_graph=True); "
                     "export the forward computation instead")
