"""Golden values for the optimizer tests, from PyTorch.

    cd components/optimizer/testdata && /usr/bin/python3 make_golden.py

Writes golden.json: a few float32 parameters (weights, a bias and a
batch-norm scale marked no_decay, a weight that starts at zero, a weight
without gradient in one step and a "prototype" weight frozen for the first
two steps), one gradient per parameter and step (null where p.grad is None,
all zeros for the batch-norm scale in one step), a learning rate per step
that varies as a schedule's would, and for every case the parameters after
each step and the optimizer's state at the end.

sgd and adamw cases run torch.optim.SGD and torch.optim.AdamW. Unless the
case decays biases and norms, the no_decay parameters sit in a second
parameter group with weight_decay 0, as solo-learn's
remove_bias_and_norm_from_weight_decay does.

lars cases run solo-learn's LARS (vturrisi/solo-learn, solo/utils/lars.py).
solo-learn is not installed here, so lars_step below reimplements its step
rule: for a parameter with a gradient, unless it is one-dimensional and
exclude_bias_n_norm is set, and only if both ||p|| and ||grad|| are non-zero,
the update is (grad + wd*p) * eta*||p|| / (||grad|| + wd*||p|| + eps), that
factor divided by the group's lr and capped at 1 when clip_lr is set; then
torch.optim.SGD's momentum (dampening 0, optionally Nesterov) and p -= lr*d.
All in one group with the case's weight decay, as solo-learn's CIFAR recipes
(exclude_bias_n_norm_wd false). In these parameters the one-dimensional ones
are exactly the no_decay ones.
"""

import json
import math

import torch

torch.manual_seed(0)

# name, shape, no_decay
SPECS = [
    ("conv.weight", (2, 3), False),
    ("conv.bias", (2,), True),
    ("bn.weight", (3,), True),
    ("fc.weight", (2, 2), False),
    ("proto.weight", (3, 2), False),
    ("zero.weight", (2, 2), False),
]
LRS = [0.1, 0.4, 0.05, 0.25, 0.01]
NO_GRAD = {("fc.weight", 1), ("proto.weight", 0), ("proto.weight", 1)}
ZERO_GRAD = {("bn.weight", 3)}


def initial():
    out = []
    for name, shape, _ in SPECS:
        if name == "zero.weight":
            v = torch.zeros(shape)
        elif name == "bn.weight":
            v = 1 + 0.1 * torch.randn(shape)
        else:
            v = torch.randn(shape)
        out.append(v.float())
    return out


INIT = initial()
GRADS = []
for step in range(len(LRS)):
    row = []
    for name, shape, _ in SPECS:
        if (name, step) in NO_GRAD:
            row.append(None)
        elif (name, step) in ZERO_GRAD:
            row.append(torch.zeros(shape))
        else:
            row.append((0.3 * torch.randn(shape)).float())
    GRADS.append(row)


def flat(t):
    return [float(x) for x in t.reshape(-1).tolist()]


def fresh_params():
    return [torch.nn.Parameter(v.clone()) for v in INIT]


def groups(params, weight_decay, decay_bias_and_norm):
    if decay_bias_and_norm:
        return [{"params": params, "weight_decay": weight_decay}]
    decay = [p for p, (_, _, nd) in zip(params, SPECS) if not nd]
    no_decay = [p for p, (_, _, nd) in zip(params, SPECS) if nd]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def run(opt, params, step_fn=None):
    """Runs every step and returns the parameters after each."""
    after = []
    for step, lr in enumerate(LRS):
        for p, g in zip(params, GRADS[step]):
            p.grad = None if g is None else g.clone()
        for group in opt.param_groups:
            group["lr"] = lr
        if step_fn is None:
            opt.step()
        else:
            step_fn(opt)
        after.append([flat(p.detach()) for p in params])
    return after


def lars_step(opt):
    """One step of solo-learn's LARS (see the module doc) over opt's groups."""
    with torch.no_grad():
        for group in opt.param_groups:
            wd, mom, lr = group["weight_decay"], group["momentum"], group["lr"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if p.ndim != 1 or not group["exclude_bias_n_norm"]:
                    pn, gn = torch.norm(p.data), torch.norm(p.grad.data)
                    if pn != 0 and gn != 0:
                        trust = pn / (gn + pn * wd + group["eps"])
                        trust *= group["eta"]
                        if group["clip_lr"]:
                            trust = min(trust / lr, 1)
                        d = d.add(p, alpha=wd)
                        d *= trust
                if mom != 0:
                    st = opt.state[p]
                    if "momentum_buffer" not in st:
                        buf = st["momentum_buffer"] = torch.clone(d).detach()
                    else:
                        buf = st["momentum_buffer"]
                        buf.mul_(mom).add_(d)
                    d = d.add(buf, alpha=mom) if group["nesterov"] else buf
                p.add_(d, alpha=-lr)


def state_of(opt, params, slots):
    buffers, counters = {}, {}
    for p, (name, _, _) in zip(params, SPECS):
        st = opt.state.get(p, {})
        for torch_key, key in slots.items():
            if st.get(torch_key) is not None:  # SGD without momentum stores None
                buffers[f"{key}/{name}"] = flat(st[torch_key])
        if "step" in st:
            counters[f"step/{name}"] = int(st["step"].item())
    return {"buffers": buffers, "counters": counters}


cases = []


def sgd_case(name, momentum, nesterov, weight_decay, decay_bias_and_norm):
    params = fresh_params()
    opt = torch.optim.SGD(
        groups(params, weight_decay, decay_bias_and_norm),
        lr=LRS[0], momentum=momentum, nesterov=nesterov, dampening=0,
    )
    after = run(opt, params)
    cases.append({
        "name": name,
        "id": "optimizer.sgd",
        "config": {"lr": LRS[0], "momentum": momentum, "nesterov": nesterov, "weight_decay": weight_decay,
                   "scale_lr": False, "decay_bias_and_norm": decay_bias_and_norm},
        "after": after,
        "state": state_of(opt, params, {"momentum_buffer": "momentum"}),
    })


def adamw_case(name, betas, eps, weight_decay, decay_bias_and_norm):
    params = fresh_params()
    opt = torch.optim.AdamW(groups(params, weight_decay, decay_bias_and_norm), lr=LRS[0], betas=betas, eps=eps)
    after = run(opt, params)
    cases.append({
        "name": name,
        "id": "optimizer.adamw",
        "config": {"lr": LRS[0], "betas": list(betas), "eps": eps, "weight_decay": weight_decay,
                   "scale_lr": False, "decay_bias_and_norm": decay_bias_and_norm},
        "after": after,
        "state": state_of(opt, params, {"exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}),
    })


def lars_case(name, momentum, nesterov, weight_decay, eta, clip, exclude):
    params = fresh_params()
    # torch.optim.SGD only holds the groups and the state; lars_step does the update.
    opt = torch.optim.SGD(params, lr=LRS[0], momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    for group in opt.param_groups:
        group.update(eta=eta, eps=1e-8, clip_lr=clip, exclude_bias_n_norm=exclude)
    after = run(opt, params, lars_step)
    cases.append({
        "name": name,
        "id": "optimizer.lars",
        "config": {"lr": LRS[0], "momentum": momentum, "nesterov": nesterov, "weight_decay": weight_decay,
                   "eta": eta, "clip": clip, "exclude_bias_and_norm": exclude, "scale_lr": False},
        "after": after,
        "state": state_of(opt, params, {"momentum_buffer": "momentum"}),
    })


sgd_case("sgd/momentum", 0.9, False, 5e-4, False)
sgd_case("sgd/nesterov, decay all", 0.9, True, 1e-2, True)
sgd_case("sgd/no momentum", 0.0, False, 1e-2, False)
adamw_case("adamw/torch defaults", (0.9, 0.999), 1e-8, 1e-2, False)
adamw_case("adamw/custom, decay all", (0.8, 0.95), 1e-6, 0.1, True)
lars_case("lars/solo-learn cifar", 0.9, False, 1e-4, 0.02, True, True)
lars_case("lars/no clip, nesterov, adapt all", 0.85, True, 5e-3, 0.01, False, False)
lars_case("lars/no momentum", 0.0, False, 1e-3, 0.05, True, True)

golden = {
    "torch": torch.__version__,
    "params": [{"name": n, "shape": list(s), "no_decay": nd, "value": flat(v)} for (n, s, nd), v in zip(SPECS, INIT)],
    "lrs": LRS,
    "grads": [[None if g is None else flat(g) for g in row] for row in GRADS],
    "cases": cases,
}
for c in cases:
    for row in c["after"]:
        assert all(math.isfinite(x) for v in row for x in v), c["name"]
with open("golden.json", "w") as f:
    json.dump(golden, f)
