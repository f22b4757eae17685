"""Stand-in for autograd_lite.testing until it lands on main: central differences in float64."""

import numpy as np

from autograd_lite import Variable, grad


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    idx = [i for i, x in enumerate(inputs) if np.asarray(x).dtype.kind == "f"]
    base = [np.array(x, dtype=np.float64) if i in idx else x for i, x in enumerate(inputs)]

    def call(vals):
        args = list(base)
        for i, v in zip(idx, vals):
            args[i] = v if isinstance(v, Variable) else Variable(v)
        out = f(*args)
        return list(out) if isinstance(out, tuple) else [out]

    vs = [Variable(base[i].copy()) for i in idx]
    outs = call(vs)
    ws = [rng.standard_normal(o.shape) for o in outs]
    live = [(o, w) for o, w in zip(outs, ws) if o.requires_grad]
    gs = grad([o for o, _ in live], vs, grad_outputs=[w for _, w in live], allow_unused=True)
    for v, g in zip(vs, gs):
        analytic = np.zeros(v.shape) if g is None else g.data
        numeric = np.zeros(v.shape)
        flat = v.data.reshape(-1)
        for j in range(flat.size):
            keep = flat[j]
            vals = []
            for step in (eps, -eps):
                flat[j] = keep + step
                vals.append(sum(np.sum(o.data * w) for o, w in zip(call([u.data for u in vs]), ws)))
            flat[j] = keep
            numeric.reshape(-1)[j] = (vals[0] - vals[1]) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, atol=atol, rtol=rtol)
    return True


def gradgradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    rng = np.random.default_rng(seed + 1)
    idx = [i for i, x in enumerate(inputs) if np.asarray(x).dtype.kind == "f"]
    probe = f(*[Variable(np.array(x, dtype=np.float64)) if i in idx else x
                for i, x in enumerate(inputs)])
    probe = list(probe) if isinstance(probe, tuple) else [probe]
    ws = [rng.standard_normal(o.shape) for o in probe]

    def first(*args):
        outs = f(*args)
        outs = list(outs) if isinstance(outs, tuple) else [outs]
        gs = grad(outs, [args[i] for i in idx], grad_outputs=ws, create_graph=True,
                  allow_unused=True)
        return tuple(Variable(np.zeros(args[i].shape), requires_grad=False) if g is None else g
                     for g, i in zip(gs, idx))

    return gradcheck(first, *inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
