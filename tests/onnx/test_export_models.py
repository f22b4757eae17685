"""Whole models exported and run in onnxruntime: the MNIST MLP and CNN of the examples, an
LSTM unrolled over a fixed length, a small GPT-like transformer, and every layer of `nn`, each
at batch sizes 1 and 7 through one dynamic batch axis, within 1e-5 of this engine."""

import inspect

import numpy as np
import pytest

import autograd_lite.functions as F
from autograd_lite import nn

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

rng = np.random.default_rng


def normal(*shape, seed=0):
    return rng(seed).standard_normal(shape).astype(np.float32)


def images(n, c=1, size=28):
    return [normal(n, c, size, size, seed=n)]


def warm_batch_norms(model, x):
    """Move the running statistics (and the affine parameters) away from their start."""
    model.train()
    for _ in range(3):
        model(x)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.weight is not None:
            m.weight.data = normal(m.num_features, seed=1) * 0.5 + 1
            m.bias.data = normal(m.num_features, seed=2) * 0.1


def test_mnist_mlp(roundtrip, examples):
    from mnist_mlp import build_mlp

    model = build_mlp(rng(0), rng(1))
    proto = roundtrip(model, lambda n: [normal(n, 784, seed=n)])
    assert [i.name for i in proto.graph.initializer][:2] == ["0.weight", "0.bias"]


def test_mnist_cnn_with_batch_norm_and_dropout(roundtrip, examples):
    from mnist_cnn import build_cnn

    model = build_cnn(rng(0), rng(1), channels=(4, 8), hidden=16)
    warm_batch_norms(model, normal(16, 1, 28, 28))
    model.train()  # export switches to evaluation itself, and back
    proto = roundtrip(model, images)
    ops = [node.op_type for node in proto.graph.node]
    assert ops.count("Conv") == 2 and ops.count("BatchNormalization") == 2
    assert "Dropout" not in ops
    names = {i.name for i in proto.graph.initializer}
    assert {"0.weight", "1.running_mean", "1.running_var", "5.weight"} <= names


class LSTMTagger(nn.Module):
    """An LSTM over a fixed number of steps, every step's output classified."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 8, rng=rng(0))
        self.head = nn.Linear(8, 3, rng=rng(1))

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(out), h, c


def test_lstm_unrolled(roundtrip):
    proto = roundtrip(LSTMTagger(), lambda n: [normal(n, 6, 5, seed=n)])
    assert [o.name for o in proto.graph.output] == ["output_0", "output_1", "output_2"]
    dims = [d.dim_param or d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
    assert dims == ["batch", 6, 3]


class Block(nn.Module):
    """Pre-norm transformer block: causal self-attention (scaled_dot_product_attention), GELU
    MLP."""

    def __init__(self, d, heads, seed):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d, rng=rng(seed))
        self.proj = nn.Linear(d, d, rng=rng(seed + 1))
        self.fc = nn.Linear(d, 4 * d, rng=rng(seed + 2))
        self.out = nn.Linear(4 * d, d, rng=rng(seed + 3))

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = F.split(self.qkv(self.ln1(x)), 3, axis=-1)

        def split_heads(a):
            return a.reshape(n, t, self.heads, d // self.heads).transpose(0, 2, 1, 3)

        y = F.scaled_dot_product_attention(split_heads(q), split_heads(k), split_heads(v),
                                           is_causal=True)
        x = x + self.proj(y.transpose(0, 2, 1, 3).reshape(n, t, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class TinyGPT(nn.Module):
    """Token and position embeddings, blocks, a MultiheadAttention layer, a final LayerNorm
    and a head tied to the token embedding."""

    def __init__(self, vocab=13, d=16, context=8, layers=2):
        super().__init__()
        self.wte = nn.Embedding(vocab, d, rng=rng(0))
        self.wpe = nn.Embedding(context, d, rng=rng(1))
        self.blocks = nn.ModuleList([Block(d, 4, 10 * i) for i in range(layers)])
        self.mha = nn.MultiheadAttention(d, 2, batch_first=True, rng=rng(2))
        self.ln = nn.LayerNorm(d)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(np.arange(t))
        for block in self.blocks:
            x = block(x)
        causal = np.triu(np.ones((t, t), bool), 1)  # True: may not look (the layer's sense)
        attended, _ = self.mha(x, x, x, attn_mask=causal, need_weights=False)
        return self.ln(x + attended) @ self.wte.weight.T


def test_gpt_like_transformer(roundtrip):
    model = TinyGPT()
    for p in model.parameters():  # LayerNorms away from 1 and 0
        if p.ndim == 1:
            p.data = p.data + normal(*p.shape, seed=p.size) * 0.1
    proto = roundtrip(model, lambda n: [rng(n).integers(0, 13, (n, 8))], names=["ids"])
    assert proto.graph.input[0].type.tensor_type.elem_type == 7  # int64 ids
    names = [i.name for i in proto.graph.initializer]
    assert names.count("wte.weight") == 1  # the tied head reads the same initializer
    ops = {node.op_type for node in proto.graph.node}
    assert {"Gather", "LayerNormalization", "Softmax", "Erf"} <= ops


def test_char_gpt_of_the_example(roundtrip, examples):
    from char_gpt import GPT

    model = GPT(vocab=11, block_size=8, n_layer=2, n_head=2, n_embd=8, rng=rng(0))
    for p in model.parameters():  # LayerNorms away from 1
        if p.ndim == 1:
            p.data = p.data + normal(*p.shape, seed=p.size) * 0.1
    proto = roundtrip(model, lambda n: [rng(n).integers(0, 11, (n, 8))], names=["ids"])
    names = [i.name for i in proto.graph.initializer]
    assert names.count("tok.weight") == 1  # the tied head reads the embedding's initializer


# ----------------------------------------------------------------------------- every layer


class Attend(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2, rng=rng(0), **kwargs)

    def forward(self, x):
        L = x.shape[0]
        out, weights = self.mha(x, x, x, attn_mask=np.tril(np.ones((L, L), bool), -1))
        return out, weights


class Listed(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleDict({"a": nn.Linear(4, 4, rng=rng(0)), "b": nn.Tanh()})
        self.scales = nn.ParameterList([nn.Parameter(normal(4, seed=1))])

    def forward(self, x):
        return self.layers["b"](self.layers["a"](x)) * self.scales[0]


def _bn1d():
    m = nn.Sequential(nn.Linear(4, 6, rng=rng(0)), nn.BatchNorm1d(6))
    warm_batch_norms(m, normal(9, 4))
    return m


def _bn_plain():
    m = nn.Sequential(nn.Conv2d(2, 3, 3, rng=rng(0)), nn.BatchNorm2d(3, affine=False))
    warm_batch_norms(m, normal(9, 2, 6, 6))
    return m


def _bn_on_sequence():
    m = nn.BatchNorm1d(3)
    warm_batch_norms(m, normal(9, 3, 5))
    return m


def _lazy():
    return nn.Sequential(nn.LazyConv2d(3, 3, rng=rng(0)), nn.Flatten(),
                         nn.LazyLinear(2, rng=rng(1)))


TWO = ["input", "target"]  # the losses: predictions and targets, both inputs of the file
LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3, rng=rng(0)), lambda n: [normal(n, 4, seed=n)]),
    "Linear-3d-no-bias": (lambda: nn.Linear(4, 3, bias=False, rng=rng(0)),
                          lambda n: [normal(n, 2, 4, seed=n)]),
    "Conv2d": (lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 2), rng=rng(0)),
               lambda n: images(n, 2, 7)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                   output_padding=1, rng=rng(0)),
                        lambda n: images(n, 2, 5)),
    "ConvTranspose2d-no-bias": (lambda: nn.ConvTranspose2d(2, 3, (4, 3), stride=(2, 1),
                                                           bias=False, rng=rng(0)),
                                lambda n: images(n, 2, 4)),
    "MaxPool2d": (lambda: nn.MaxPool2d(3, stride=2, padding=1), lambda n: images(n, 2, 7)),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, stride=2, padding=1), lambda n: images(n, 2, 7)),
    "BatchNorm1d": (_bn1d, lambda n: [normal(n, 4, seed=n)]),
    "BatchNorm1d-sequence": (_bn_on_sequence, lambda n: [normal(n, 3, 5, seed=n)]),
    "BatchNorm2d-no-affine": (_bn_plain, lambda n: images(n, 2, 6)),
    "LayerNorm": (lambda: nn.LayerNorm((3, 4)), lambda n: [normal(n, 2, 3, 4, seed=n)]),
    "LayerNorm-no-affine": (lambda: nn.LayerNorm(4, elementwise_affine=False),
                            lambda n: [normal(n, 4, seed=n)]),
    "LayerNorm-no-bias": (lambda: nn.LayerNorm(4, bias=False), lambda n: [normal(n, 4, seed=n)]),
    "Dropout": (lambda: nn.Dropout(0.5), lambda n: [normal(n, 4, seed=n)]),
    "Embedding": (lambda: nn.Embedding(10, 3, rng=rng(0)),
                  lambda n: [rng(n).integers(0, 10, (n, 5))]),
    "Flatten": (lambda: nn.Flatten(), lambda n: images(n, 2, 3)),
    "Unflatten": (lambda: nn.Unflatten(1, (2, -1)), lambda n: [normal(n, 6, seed=n)]),
    "Upsample": (lambda: nn.Upsample(scale_factor=2), lambda n: images(n, 2, 3)),
    "Upsample-nearest-exact": (lambda: nn.Upsample(size=(5, 4), mode="nearest-exact"),
                               lambda n: images(n, 2, 3)),
    "ReLU": (lambda: nn.ReLU(), lambda n: [normal(n, 5, seed=n)]),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda n: [normal(n, 5, seed=n)]),
    "Sigmoid": (lambda: nn.Sigmoid(), lambda n: [normal(n, 5, seed=n)]),
    "Tanh": (lambda: nn.Tanh(), lambda n: [normal(n, 5, seed=n)]),
    "GELU": (lambda: nn.GELU(), lambda n: [normal(n, 5, seed=n) * 3]),
    "GELU-tanh": (lambda: nn.GELU("tanh"), lambda n: [normal(n, 5, seed=n) * 3]),
    "Softmax": (lambda: nn.Softmax(dim=1), lambda n: [normal(n, 5, 2, seed=n)]),
    "LogSoftmax": (lambda: nn.LogSoftmax(), lambda n: [normal(n, 5, seed=n)]),
    "Identity": (lambda: nn.Sequential(nn.Identity(), nn.Tanh()), lambda n: [normal(n, 3)]),
    "RNN": (lambda: nn.RNN(3, 4, rng=rng(0)), lambda n: [normal(n, 4, 3, seed=n)]),
    "GRU": (lambda: nn.GRU(3, 4, rng=rng(0)), lambda n: [normal(n, 4, 3, seed=n)]),
    "LSTM-time-first": (lambda: nn.LSTM(3, 4, batch_first=False, rng=rng(0)),
                        lambda n: [normal(4, n, 3, seed=n)]),
    "MultiheadAttention": (lambda: Attend(), lambda n: [normal(5, n, 8, seed=n)]),
    "Containers": (Listed, lambda n: [normal(n, 4, seed=n)]),
    "LazyLinear-LazyConv2d": (_lazy, lambda n: images(n, 1, 5)),
    "CrossEntropyLoss": (nn.CrossEntropyLoss, lambda n: [normal(n, 5, seed=n), np.arange(n) % 5],
                         TWO),
    "MSELoss": (nn.MSELoss, lambda n: [normal(n, 3, seed=n), normal(n, 3, seed=n + 1)], TWO),
    "HuberLoss": (lambda: nn.HuberLoss(delta=0.5),
                  lambda n: [normal(n, 3, seed=n), normal(n, 3, seed=n + 1)], TWO),
    "SmoothL1Loss": (lambda: nn.SmoothL1Loss(reduction="sum", beta=2.0),
                     lambda n: [normal(n, 3, seed=n), normal(n, 3, seed=n + 1)], TWO),
    "BCELoss": (nn.BCELoss, lambda n: [rng(n).uniform(0.05, 0.95, (n, 3)).astype(np.float32),
                                       rng(n + 1).random((n, 3), np.float32)], TWO),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss,
                          lambda n: [normal(n, 3, seed=n), rng(n).random((n, 3), np.float32)],
                          TWO),
}
TIME_FIRST = {"LSTM-time-first": 1, "MultiheadAttention": 1}
NOT_A_LAYER = {"Module", "Parameter", "UninitializedParameter", "RemovableHandle",
               "Sequential", "ModuleList", "ModuleDict", "ParameterList"}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer(roundtrip, name):
    build, make, *names = LAYERS[name]
    roundtrip(build(), make, dynamic=TIME_FIRST.get(name, 0), names=names[0] if names else None)


def test_every_nn_layer_is_exported():
    """A new layer in nn must join LAYERS above (or the README's list of what is not
    covered)."""
    classes = {name for name, value in vars(nn).items()
               if inspect.isclass(value) and name not in NOT_A_LAYER}
    covered = {name.split("-")[0] for name in LAYERS} | {"LazyLinear", "LazyConv2d", "LSTM"}
    assert classes - covered == set()

