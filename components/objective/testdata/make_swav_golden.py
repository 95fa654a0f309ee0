"""Golden values for the SwAV tests, from PyTorch.

    cd components/objective/testdata && /usr/bin/python3 make_swav_golden.py

Writes swav_golden.json. distributed_sinkhorn is facebookresearch/swav's
(main_swav.py) on one process (world_size 1, no all_reduce), in float64. The
"large scores" case runs the same algorithm on scores minus their maximum
(the global normalisation cancels it exactly), since the official code
overflows there; an extra check confirms both agree where both are finite.
The swapped loss follows main_swav.py's train loop: for each crop in
crops_for_assign, q = sinkhorn(output[crop]); subloss over every other view
of -mean(sum(q * log_softmax(output[v] / temperature), 1)), divided by the
number of other views; loss is the mean over the assigned crops.
The "queue" cases follow the same loop with a full queue: the queue's
embeddings scored by the prototypes are stacked above the batch's scores for
the Sinkhorn, only the batch rows' codes are kept, and the queue is then
shifted down by one batch with the batch's embeddings on top.
"""

import json

import torch


def distributed_sinkhorn(out, epsilon, iters):
    Q = torch.exp(out / epsilon).t()  # Q is K-by-B
    B = Q.shape[1]
    K = Q.shape[0]
    sum_Q = torch.sum(Q)
    Q /= sum_Q
    for it in range(iters):
        sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
        Q /= sum_of_rows
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def stable_sinkhorn(out, epsilon, iters):
    return distributed_sinkhorn(out - out.max(), epsilon, iters)


def sinkhorn_case(name, b, k, scale, epsilon, iters, seed, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    s32 = (torch.randn(b, k, generator=g, dtype=torch.float32) * scale + shift).float()
    s = s32.double()
    q = stable_sinkhorn(s, epsilon, iters)
    if shift == 0:
        official = distributed_sinkhorn(s.clone(), epsilon, iters)
        assert torch.allclose(q, official, rtol=1e-10, atol=1e-12)
    else:
        assert not torch.isfinite(distributed_sinkhorn(s.clone(), epsilon, iters)).all()
    assert torch.isfinite(q).all()
    return {"name": name, "batch": b, "k": k, "epsilon": epsilon, "iterations": iters,
            "scores": s32.flatten().tolist(), "codes": q.flatten().tolist()}


def loss_case(name, views, assign, b, k, temperature, epsilon, iters, seed):
    g = torch.Generator().manual_seed(seed)
    z32 = [torch.randn(b, k, generator=g, dtype=torch.float32) * 0.5 for _ in range(views)]
    z = [t.double().requires_grad_(True) for t in z32]
    loss = 0
    codes = []
    for crop_id in assign:
        with torch.no_grad():
            q = stable_sinkhorn(z[crop_id].detach(), epsilon, iters)
        codes.append(q.flatten().tolist())
        subloss = 0
        for v in range(views):
            if v == crop_id:
                continue
            x = z[v] / temperature
            subloss -= torch.mean(torch.sum(q * torch.log_softmax(x, dim=1), dim=1))
        loss += subloss / (views - 1)
    loss /= len(assign)
    loss.backward()
    return {"name": name, "views": views, "assign": assign, "batch": b, "k": k,
            "temperature": temperature, "epsilon": epsilon, "iterations": iters,
            "z": torch.cat([t.flatten() for t in z32]).tolist(), "codes": codes,
            "loss": loss.item(), "grad": torch.cat([(t.grad if t.grad is not None else torch.zeros_like(t)).flatten() for t in z]).tolist()}


def queue_case(name, views, assign, b, k, d, length, temperature, epsilon, iters, seed):
    g = torch.Generator().manual_seed(seed)
    norm = torch.nn.functional.normalize
    w = norm(torch.randn(k, d, generator=g, dtype=torch.float32), dim=1)
    queue = norm(torch.randn(len(assign), length, d, generator=g, dtype=torch.float32), dim=2)
    emb = [norm(torch.randn(b, d, generator=g, dtype=torch.float32), dim=1) for _ in range(views)]
    z32 = [e @ w.t() for e in emb]
    z = [t.double().requires_grad_(True) for t in z32]
    new_queue = queue.clone()
    loss = 0
    codes = []
    for i, crop_id in enumerate(assign):
        with torch.no_grad():
            out = torch.cat((torch.mm(queue[i], w.t()), z32[crop_id])).double()
            new_queue[i, b:] = queue[i, :-b].clone()
            new_queue[i, :b] = emb[crop_id]
            q = stable_sinkhorn(out, epsilon, iters)[-b:]
        codes.append(q.flatten().tolist())
        subloss = 0
        for v in range(views):
            if v == crop_id:
                continue
            subloss -= torch.mean(torch.sum(q * torch.log_softmax(z[v] / temperature, dim=1), dim=1))
        loss += subloss / (views - 1)
    loss /= len(assign)
    loss.backward()
    return {"name": name, "views": views, "assign": assign, "batch": b, "k": k, "dim": d, "length": length,
            "temperature": temperature, "epsilon": epsilon, "iterations": iters,
            "prototypes": w.flatten().tolist(), "queue": queue.flatten().tolist(),
            "embeddings": torch.cat([e.flatten() for e in emb]).tolist(),
            "z": torch.cat([t.flatten() for t in z32]).tolist(), "codes": codes,
            "loss": loss.item(), "grad": torch.cat([(t.grad if t.grad is not None else torch.zeros_like(t)).flatten() for t in z]).tolist(),
            "new_queue": new_queue.flatten().tolist()}


sinkhorn = [
    sinkhorn_case("B 6, K 10, unit scores", 6, 10, 1.0, 0.05, 3, 11),
    sinkhorn_case("B 6, K 10, cosine-sized scores", 6, 10, 0.3, 0.05, 3, 12),
    sinkhorn_case("B 8, K 5, 10 iterations", 8, 5, 0.5, 0.1, 10, 13),
    sinkhorn_case("B 6, K 10, large scores (official overflows)", 6, 10, 1.0, 0.05, 3, 14, shift=40.0),
]
losses = [
    loss_case("2 views", 2, [0, 1], 6, 10, 0.1, 0.05, 3, 21),
    loss_case("2+4 views", 6, [0, 1], 6, 10, 0.1, 0.05, 3, 22),
    loss_case("2+4 views, assign 1 only", 6, [1], 6, 10, 0.2, 0.05, 3, 23),
]
queues = [
    queue_case("2 views, queue of 12", 2, [0, 1], 4, 10, 8, 12, 0.1, 0.05, 3, 31),
    queue_case("2+2 views, assign 0, queue of 8", 4, [0], 4, 6, 5, 8, 0.1, 0.05, 3, 32),
]
with open("swav_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "sinkhorn": sinkhorn, "loss": losses, "queue": queues}, f)
    f.write("\n")
