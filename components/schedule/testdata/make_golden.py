"""Golden learning rates for the schedule tests, from PyTorch.

    cd components/schedule/testdata && /usr/bin/python3 make_golden.py

Writes golden.json: for each setting, the learning rate at every step
0..total_steps (the last value is the one after the run's last optimizer
step).

WarmupCosine below reimplements solo-learn's LinearWarmupCosineAnnealingLR
(vturrisi/solo-learn, solo/utils/lr_scheduler.py; solo-learn is not
installed here) in its chainable form, on torch's _LRScheduler, as solo-learn
drives it (solo/methods/base.py, configure_optimizers, interval "step"):
warmup_epochs and max_epochs are counted in optimizer steps (warmup epochs
times steps per epoch, and every step of the run), warmup_start_lr is the
peak lr when there is no warmup, and the scheduler steps after every
optimizer step, so step k trains with the scheduler's value at last_epoch k.
The chainable form accumulates float64 rounding from step to step, as
solo-learn's runs do.
"""

import json
import math

import torch


class WarmupCosine(torch.optim.lr_scheduler._LRScheduler):
    def __init__(self, optimizer, warmup_epochs, max_epochs, warmup_start_lr, eta_min):
        self.warmup_epochs = warmup_epochs
        self.max_epochs = max_epochs
        self.warmup_start_lr = warmup_start_lr
        self.eta_min = eta_min
        super().__init__(optimizer)

    def get_lr(self):
        k, w, m = self.last_epoch, self.warmup_epochs, self.max_epochs
        groups = self.optimizer.param_groups
        if k == 0:
            return [self.warmup_start_lr for _ in self.base_lrs]
        if k < w:
            return [g["lr"] + (base - self.warmup_start_lr) / (w - 1) for base, g in zip(self.base_lrs, groups)]
        if k == w:
            return list(self.base_lrs)
        if (k - 1 - m) % (2 * (m - w)) == 0:
            return [g["lr"] + (base - self.eta_min) * (1 - math.cos(math.pi / (m - w))) / 2
                    for base, g in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * (k - w) / (m - w))) / (1 + math.cos(math.pi * (k - w - 1) / (m - w)))
        return [ratio * (g["lr"] - self.eta_min) + self.eta_min for g in groups]


def run(peak, warmup_epochs, start_lr, final_lr, steps_per_epoch, epochs):
    total = steps_per_epoch * epochs
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    sched = WarmupCosine(
        opt,
        warmup_epochs=warmup_epochs * steps_per_epoch,
        max_epochs=total,
        warmup_start_lr=start_lr if warmup_epochs > 0 else peak,
        eta_min=final_lr,
    )
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(total):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {
        "peak": peak, "warmup_epochs": warmup_epochs, "start_lr": start_lr, "final_lr": final_lr,
        "steps_per_epoch": steps_per_epoch, "total_steps": total, "lrs": lrs,
    }


cases = [
    dict(name="solo-learn defaults", **run(0.6, 10, 3e-5, 0.0, 7, 40)),
    dict(name="no warmup", **run(0.3, 0, 3e-5, 0.001, 4, 10)),
    dict(name="one warmup step", **run(1.5, 1, 0.01, 0.002, 1, 6)),
    dict(name="start and final above zero", **run(2.0, 2, 0.1, 0.05, 7, 15)),
    dict(name="warmup fills the run", **run(0.5, 3, 0.0, 0.0, 2, 3)),
    dict(name="warmup longer than the run", **run(0.5, 5, 0.01, 0.0, 4, 3)),
]
with open("golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
