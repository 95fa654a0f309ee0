"""Golden values for objective.barlow_twins and objective.vicreg, from PyTorch.

    cd components/objective/testdata && /usr/bin/python3 make_ssl_golden.py

(Debian's python3-torch.) Writes ssl_golden.json: for fixed seeded
projections of two views, the loss and its gradient with respect to both.
The two loss functions below re-implement solo-learn's, read from
vturrisi/solo-learn at commit 9187ea39c2c3f43c455ab06664d2b019a9802954
(barlow_loss_func in solo/losses/barlow.py, vicreg_loss_func and its three
helpers in solo/losses/vicreg.py); no code is copied. Their distributed
parts are left out because a single process skips them: barlow's
all_reduce of the cross-correlation runs only when torch.distributed is
initialised, and vicreg's gather of z1 and z2 returns them unchanged in
one process. The reference is computed in float64 from float32 inputs.
"""

import json

import torch
import torch.nn.functional as F


def barlow_loss_func(z1, z2, lamb, scale_loss):
    """Barlow Twins as solo-learn defines it: both views standardised per
    column by a fresh affine-free BatchNorm1d in training mode (biased
    variance, eps 1e-5), their cross-correlation over the batch, and the
    squared distance to the identity with the off-diagonal terms weighted
    by lamb, times scale_loss."""
    n, d = z1.shape
    norm = torch.nn.BatchNorm1d(d, affine=False).to(z1.dtype)
    c = norm(z1).T @ norm(z2) / n
    eye = torch.eye(d, dtype=c.dtype)
    sq = (c - eye) ** 2
    weight = eye + lamb * (1 - eye)
    return scale_loss * (sq * weight).sum()


def vicreg_loss_func(z1, z2, sim_loss_weight, var_loss_weight, cov_loss_weight):
    """VICReg as solo-learn defines it: the mean squared error between the
    views; for each view the mean of relu(1 - sqrt(unbiased variance +
    1e-4)) over the columns, the two summed (not halved); and for each view
    the sum of squared off-diagonal covariances (unbiased) over the width,
    the two summed."""
    n, d = z1.shape
    invariance = ((z1 - z2) ** 2).mean()

    def spread(z):
        return F.relu(1 - torch.sqrt(z.var(dim=0) + 1e-4)).mean()

    def covariance(z):
        zc = z - z.mean(dim=0)
        cov = zc.T @ zc / (n - 1)
        off = 1 - torch.eye(d, dtype=cov.dtype)
        return ((cov * off) ** 2).sum() / d

    return (sim_loss_weight * invariance
            + var_loss_weight * (spread(z1) + spread(z2))
            + cov_loss_weight * (covariance(z1) + covariance(z2)))


def inputs(batch, dim, seed, spread, coupling):
    """Two views (batch, dim) in float32: column j of view 0 has standard
    deviation drawn from spread (so VICReg's hinge relu(1 - std) is active on
    some columns and not on others), and view 1 is coupling * view 0 plus
    noise, so the views are correlated as two crops of one image are."""
    g = torch.Generator().manual_seed(seed)
    scale = spread[0] + (spread[1] - spread[0]) * torch.rand(dim, generator=g, dtype=torch.float64)
    z1 = torch.randn(batch, dim, generator=g, dtype=torch.float64) * scale + 0.3
    z2 = coupling * z1 + torch.randn(batch, dim, generator=g, dtype=torch.float64) * scale
    return z1.float(), z2.float()


def case(kind, name, batch, dim, seed, params, spread=(0.5, 1.5), coupling=0.7):
    z1_32, z2_32 = inputs(batch, dim, seed, spread, coupling)
    z1 = z1_32.double().requires_grad_(True)
    z2 = z2_32.double().requires_grad_(True)
    if kind == "barlow_twins":
        loss = barlow_loss_func(z1, z2, **params)
    else:
        loss = vicreg_loss_func(z1, z2, **params)
    loss.backward()
    return {
        "name": name,
        "batch": batch,
        "dim": dim,
        "params": params,
        "z": torch.cat([z1_32, z2_32]).flatten().tolist(),
        "loss": loss.item(),
        "grad": torch.cat([z1.grad, z2.grad]).flatten().tolist(),
    }


barlow_defaults = {"lamb": 0.0051, "scale_loss": 0.1}  # the component's defaults
vicreg_defaults = {"sim_loss_weight": 25.0, "var_loss_weight": 25.0, "cov_loss_weight": 1.0}
golden = {
    "torch": torch.__version__,
    "barlow_twins": [
        case("barlow_twins", "N 8, D 6, defaults", 8, 6, 1, barlow_defaults),
        case("barlow_twins", "N 5, D 16, defaults", 5, 16, 2, barlow_defaults),
        case("barlow_twins", "N 12, D 4, lamb 0.2, scale 0.025", 12, 4, 3, {"lamb": 0.2, "scale_loss": 0.025}),
        case("barlow_twins", "N 6, D 10, lamb 0, uncorrelated", 6, 10, 4, {"lamb": 0.0, "scale_loss": 1.0}, coupling=0.0),
    ],
    "vicreg": [
        case("vicreg", "N 8, D 6, defaults", 8, 6, 11, vicreg_defaults),
        case("vicreg", "N 5, D 16, defaults", 5, 16, 12, vicreg_defaults),
        case("vicreg", "N 12, D 4, weights 1 10 5", 12, 4, 13,
             {"sim_loss_weight": 1.0, "var_loss_weight": 10.0, "cov_loss_weight": 5.0}),
        case("vicreg", "N 6, D 10, small std (hinge active everywhere)", 6, 10, 14, vicreg_defaults, spread=(0.05, 0.3)),
    ],
}
with open("ssl_golden.json", "w") as f:
    json.dump(golden, f)
    f.write("\n")
