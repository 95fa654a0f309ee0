"""Golden values for objective.byol, from PyTorch.

    cd components/objective/testdata && /usr/bin/python3 make_byol_golden.py

(Debian's python3-torch.) Writes byol_golden.json with:

- loss: for seeded online predictions p (one (B, D) per view) and teacher
  projections z (for the teacher views), BYOL's loss as solo-learn computes
  it (solo/losses/byol.py, byol_loss_func with simplified=True:
  2 - 2 * cosine_similarity(p, z.detach()).mean(), summed over every
  teacher view v1 and every other view v2, as solo/methods/byol.py pairs
  them), and its gradient with respect to every p, in float64 from
  float32 inputs;
- tau: the teacher's momentum after each step of a short run, as
  solo/utils/momentum.py's MomentumUpdater gives it (cur_tau starts at
  base_tau; after each optimizer step the teacher is updated with cur_tau,
  then update_tau(cur_step=global_step, max_steps)), so the k-th update
  (0-based) uses final - (final - base) * (cos(pi * k / max_steps) + 1) / 2;
- ema: one float32 update mp = tau * mp + (1 - tau) * op of seeded tensors.

Re-implemented here from the source of those files; no code is copied.
"""

import json
import math

import torch
import torch.nn.functional as F


def byol_loss(p, z):
    return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1).mean()


def loss_case(name, views, teacher, b, d, seed):
    g = torch.Generator().manual_seed(seed)
    p = [torch.randn(b, d, generator=g).to(torch.float64).requires_grad_() for _ in range(views)]
    z = {v: torch.randn(b, d, generator=g).to(torch.float64) for v in teacher}
    # float32 values, computed in float64
    p = [x.detach().float().double().requires_grad_() for x in p]
    z = {v: x.float().double() for v, x in z.items()}
    loss = 0
    for v1 in teacher:
        for v2 in range(views):
            if v2 != v1:
                loss = loss + byol_loss(p[v2], z[v1])
    loss.backward()
    return {
        "name": name,
        "views": views,
        "teacher": teacher,
        "p": [x.detach().flatten().tolist() for x in p],
        "z": {str(v): x.flatten().tolist() for v, x in z.items()},
        "batch": b,
        "dim": d,
        "loss": loss.item(),
        "grad": [(x.grad if x.grad is not None else torch.zeros_like(x)).flatten().tolist() for x in p],
    }


class Updater:
    def __init__(self, base, final):
        self.base, self.final, self.cur = base, final, base

    def update_tau(self, cur_step, max_steps):
        self.cur = self.final - (self.final - self.base) * (math.cos(math.pi * cur_step / max_steps) + 1) / 2


def taus(base, final, max_steps):
    u = Updater(base, final)
    out = []
    for global_step in range(1, max_steps + 1):
        out.append(u.cur)  # the update after this step uses cur_tau
        u.update_tau(global_step, max_steps)
    return out


def ema_case(tau, n, seed):
    g = torch.Generator().manual_seed(seed)
    mp = torch.randn(n, generator=g)
    op = torch.randn(n, generator=g)
    out = tau * mp + (1 - tau) * op
    return {"tau": tau, "teacher": mp.tolist(), "online": op.tolist(), "want": out.tolist()}


def main():
    out = {
        "loss": [
            loss_case("two views", 2, [0, 1], 4, 6, 1),
            loss_case("multi-crop, teacher on the first two", 4, [0, 1], 3, 5, 2),
            loss_case("one teacher view", 3, [2], 5, 8, 3),
        ],
        "tau": [
            {"base": 0.99, "final": 1.0, "steps": 10, "taus": taus(0.99, 1.0, 10)},
            {"base": 0.9, "final": 0.95, "steps": 7, "taus": taus(0.9, 0.95, 7)},
        ],
        "ema": [ema_case(0.99, 16, 4), ema_case(0.9037, 16, 5)],
    }
    with open("byol_golden.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
