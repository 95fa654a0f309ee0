"""Golden values for objective.mocov2plus, from PyTorch.

    cd components/objective/testdata && /usr/bin/python3 make_moco_golden.py

(Debian's python3-torch.) Writes moco_golden.json: for seeded projections
of two views (z, the online projector's output before normalisation),
teacher outputs k (also before normalisation) and queues (2, D, K) of
normalised past keys, MoCo v2+'s loss as solo-learn computes it
(solo/methods/mocov2plus.py: q = normalize(z), k = normalize(k), loss =
(moco_loss_func(q1, k2, queue[1], t) + moco_loss_func(q2, k1, queue[0], t))
/ 2, with solo/losses/mocov2plus.py's moco_loss_func: logits
[q.k, q queue] / t, cross-entropy with the positive first), and its
gradient with respect to z, in float64 from float32 inputs.
Re-implemented here from the source of those files; no code is copied.
"""

import json

import torch
import torch.nn.functional as F


def infonce(q, k, queue, t):
    pos = (q * k).sum(dim=1, keepdim=True)
    neg = q @ queue
    logits = torch.cat([pos, neg], dim=1) / t
    return F.cross_entropy(logits, torch.zeros(q.size(0), dtype=torch.long))


def case(name, b, d, k, t, seed):
    g = torch.Generator().manual_seed(seed)
    z = [torch.randn(b, d, generator=g).float().double().requires_grad_() for _ in range(2)]
    keys = [torch.randn(b, d, generator=g).float().double() for _ in range(2)]
    queue = F.normalize(torch.randn(2, d, k, generator=g), dim=1).float().double()
    q = [F.normalize(x, dim=-1) for x in z]
    kn = [F.normalize(x, dim=-1) for x in keys]
    loss = (infonce(q[0], kn[1], queue[1], t) + infonce(q[1], kn[0], queue[0], t)) / 2
    loss.backward()
    return {
        "name": name, "batch": b, "dim": d, "queue_size": k, "temperature": t,
        "z": [x.detach().flatten().tolist() for x in z],
        "keys": [x.flatten().tolist() for x in keys],
        "queue": [queue[v].flatten().tolist() for v in range(2)],
        "loss": loss.item(),
        "grad": [x.grad.flatten().tolist() for x in z],
    }


def main():
    out = [
        case("small", 4, 6, 8, 0.2, 1),
        case("wider queue", 3, 5, 16, 0.1, 2),
        case("temperature 1", 5, 4, 10, 1.0, 3),
    ]
    with open("moco_golden.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
