"""Golden values for the linear probe's tests, from PyTorch.

    cd components/evaluate/testdata && /usr/bin/python3 make_golden.py

(Debian's python3-torch; scikit-learn is not installed.) Writes golden.json:
a small fixed data set (float32 features, stored so Go reads the same
numbers) and, for each l2, the optimum of evaluate.linear's objective found
by torch.optim.LBFGS in float64 with a strong-Wolfe line search, run far past
the Go defaults' tolerance. The objective is

    mean_i [logsumexp_c(s_ic) - s_i,y_i] + l2/2 ||W||^2,  s_i = W x_i + b,

on features standardised with the train split's mean and population std (a
feature whose std is at most 1e-12 |mean| is only centred), the bias not
penalised, starting at zero. top1/top5 are the test accuracies of the
optimum.
"""

import json

import torch
import torch.nn.functional as F

DIM, CLASSES, N_TRAIN, N_TEST = 8, 10, 300, 150


def make_data():
    g = torch.Generator().manual_seed(20240607)
    centers = 0.6 * torch.randn(CLASSES, DIM, generator=g, dtype=torch.float64)
    scale = torch.exp(torch.randn(DIM, generator=g, dtype=torch.float64))
    offset = 3 * torch.randn(DIM, generator=g, dtype=torch.float64)

    def split(n):
        y = torch.randint(0, CLASSES, (n,), generator=g)
        x = (centers[y] + torch.randn(n, DIM, generator=g, dtype=torch.float64)) * scale + offset
        x[:, DIM - 1] = 3.0  # constant feature: only centred
        return x.float(), y

    return split(N_TRAIN), split(N_TEST)


def standardization(x):
    mean = x.mean(0)
    std = x.std(0, unbiased=False)
    inv = torch.where(std <= 1e-12 * mean.abs(), torch.ones_like(std), 1 / std)
    return mean, inv


def objective(z, y, w, b, l2):
    return F.cross_entropy(z @ w.T + b, y) + l2 / 2 * (w * w).sum()


def fit(z, y, l2):
    w = torch.zeros(CLASSES, DIM, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(CLASSES, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w, b],
        lr=1,
        max_iter=20000,
        max_eval=40000,
        tolerance_grad=1e-13,
        tolerance_change=1e-300,
        history_size=10,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = objective(z, y, w, b, l2)
        loss.backward()
        return loss

    opt.step(closure)
    opt.zero_grad()
    loss = objective(z, y, w, b, l2)
    loss.backward()
    grad_max = max(w.grad.abs().max().item(), b.grad.abs().max().item())
    return w.detach(), b.detach(), loss.item(), grad_max


def accuracy(z, y, w, b):
    s = z @ w.T + b
    top1 = (s.argmax(1) == y).double().mean().item()
    k = min(5, CLASSES)
    top5 = (s.topk(k, dim=1).indices == y[:, None]).any(1).double().mean().item()
    return top1, top5


def main():
    (xtr, ytr), (xte, yte) = make_data()
    mean, inv = standardization(xtr.double())
    ztr = (xtr.double() - mean) * inv
    zte = (xte.double() - mean) * inv
    cases = []
    for l2 in [1e-2, 1e-4]:
        w, b, f, grad_max = fit(ztr, ytr, l2)
        top1, top5 = accuracy(zte, yte, w, b)
        cases.append(
            {
                "l2": l2,
                "objective": f,
                "grad_max": grad_max,
                "top1": top1,
                "top5": top5,
                "weight": w.flatten().tolist(),
                "bias": b.tolist(),
            }
        )
    golden = {
        "torch": torch.__version__,
        "dim": DIM,
        "classes": CLASSES,
        "train": {"data": xtr.flatten().double().tolist(), "labels": ytr.tolist()},
        "test": {"data": xte.flatten().double().tolist(), "labels": yte.tolist()},
        "cases": cases,
    }
    with open("golden.json", "w") as f:
        json.dump(golden, f)
        f.write("\n")


main()
