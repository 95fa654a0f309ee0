"""Golden values for the objective package's tests, from PyTorch.

    cd components/objective/testdata && /usr/bin/python3 make_golden.py

(Debian's python3-torch.) Writes golden.json: for fixed seeded projections,
the loss and its gradient. NT-Xent is solo-learn's simclr_loss_func
(solo/losses/simclr.py), with z the views concatenated and indexes the image
of each row. Inputs are float32; the reference is computed in float64.
"""

import json

import torch
import torch.nn.functional as F


def simclr_loss_func(z, indexes, temperature):
    z = F.normalize(z, dim=-1)
    sim = torch.exp(torch.einsum("if, jf -> ij", z, z) / temperature)
    indexes = indexes.unsqueeze(0)
    pos_mask = indexes.t() == indexes
    pos_mask.fill_diagonal_(0)
    neg_mask = indexes.t() != indexes
    pos = torch.sum(sim * pos_mask, 1)
    neg = torch.sum(sim * neg_mask, 1)
    return -(torch.mean(torch.log(pos / (pos + neg))))


def nt_xent_case(name, views, batch, dim, temperature, seed):
    g = torch.Generator().manual_seed(seed)
    z32 = torch.randn(views * batch, dim, generator=g, dtype=torch.float32)
    z = z32.double().requires_grad_(True)
    indexes = torch.arange(batch).repeat(views)
    loss = simclr_loss_func(z, indexes, temperature)
    loss.backward()
    return {
        "name": name,
        "views": views,
        "batch": batch,
        "dim": dim,
        "temperature": temperature,
        "z": z32.flatten().tolist(),
        "loss": loss.item(),
        "grad": z.grad.flatten().tolist(),
    }


cases = [
    nt_xent_case("2 views, T 0.2", 2, 4, 8, 0.2, 1),
    nt_xent_case("2 views, T 0.07", 2, 6, 5, 0.07, 2),
    nt_xent_case("3 views, T 0.5", 3, 4, 8, 0.5, 3),
    nt_xent_case("8 views, T 0.1", 8, 2, 4, 0.1, 4),
]
with open("golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "nt_xent": cases}, f)
    f.write("\n")
