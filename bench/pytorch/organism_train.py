"""The organism's training step in PyTorch, for `npm run bench:pytorch` (bench/organism-vs-pytorch.ts).

    /usr/bin/python3 bench/pytorch/organism_train.py DIR [--threads 1]

DIR, written by the Node side, holds `job.json` (architecture, optimizer settings, warm-up steps,
each batch's shape), `model.safetensors` (the organism's initial weights) and `batches.bin` (per batch:
inputs int32, targets int32, loss weights float32, each rows x steps). The model below is written
from the architecture alone and must find exactly its own names and shapes in the weights file, so a
different architecture fails here instead of being timed. It trains over every batch and prints one
JSON line. One thread count per process: the caller also sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS,
because torch.set_num_threads alone does not reliably bound a BLAS library's own thread pool.

Weights keep emlab's layout and names ([in, out] matrices, `x @ w + b`) so the file loads without
renaming; the arithmetic is what torch.nn.Linear does.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

MASKED = -1e9  # emlab's additive bias for a hidden key (finite, like transformer.ts)


def weight_specs(a):
    """Name -> (shape, decays), from the architecture only (the organism's weights.ts scheme)."""
    d, m = a["dModel"], a["mlpHidden"]
    specs = {"wte": ([a["vocabSize"], d], True), "wpe": ([a["context"], d], True)}
    linears = {"attn.wq": ("attn.bq", [d, d]), "attn.wk": ("attn.bk", [d, d]), "attn.wv": ("attn.bv", [d, d]),
               "attn.wo": ("attn.bo", [d, d]), "mlp.w1": ("mlp.b1", [d, m]), "mlp.w2": ("mlp.b2", [m, d])}
    for l in range(a["layers"]):
        for norm in ("ln1", "ln2"):
            specs[f"h.{l}.{norm}.g"] = ([d], False)
            specs[f"h.{l}.{norm}.b"] = ([d], False)
        for w, (b, shape) in linears.items():
            specs[f"h.{l}.{w}"] = (shape, True)
            specs[f"h.{l}.{b}"] = ([shape[1]], False)
    specs["lnf.g"] = ([d], False)
    specs["lnf.b"] = ([d], False)
    return specs


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit(f"organism_train.py: {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data, dtype="<f4", count=(end - start) // 4, offset=base + start).reshape(info["shape"])
    return out


def load_params(a, weights_path):
    specs = weight_specs(a)
    stored = read_safetensors(weights_path)
    if set(stored) != set(specs):
        sys.exit(f"organism_train.py: weights differ from this architecture: missing {sorted(set(specs) - set(stored))}, extra {sorted(set(stored) - set(specs))}")
    params = {}
    for name, (shape, _) in specs.items():
        if list(stored[name].shape) != shape:
            sys.exit(f"organism_train.py: {name} has shape {list(stored[name].shape)}, this architecture says {shape}")
        params[name] = torch.tensor(stored[name].copy(), dtype=torch.float32, requires_grad=True)
    return params, specs


def forward_loss(p, a, inputs, targets, weights, loss_tokens):
    """Summed weighted cross-entropy / the batch's counted targets, as train.ts batchLoss."""
    rows, steps = inputs.shape
    d, heads = a["dModel"], a["heads"]
    hd = d // heads
    eps = 1e-5
    pos = torch.arange(steps)
    x = p["wte"][inputs] + p["wpe"][pos]  # learned positions, added
    causal = torch.triu(torch.full((steps, steps), MASKED), diagonal=1)
    for l in range(a["layers"]):
        w = lambda n: p[f"h.{l}.{n}"]
        h = F.layer_norm(x, (d,), w("ln1.g"), w("ln1.b"), eps)  # pre-norm
        split = lambda t: t.view(rows, steps, heads, hd).transpose(1, 2)
        q = split(torch.matmul(h, w("attn.wq")) + w("attn.bq")) * (1 / math.sqrt(hd))
        k = split(torch.matmul(h, w("attn.wk")) + w("attn.bk"))
        v = split(torch.matmul(h, w("attn.wv")) + w("attn.bv"))
        att = torch.softmax(q @ k.transpose(-2, -1) + causal, dim=-1)  # causal only: padding sits after real tokens
        y = (att @ v).transpose(1, 2).reshape(rows, steps, d)
        x = x + torch.matmul(y, w("attn.wo")) + w("attn.bo")
        h = F.layer_norm(x, (d,), w("ln2.g"), w("ln2.b"), eps)
        h = F.gelu(torch.matmul(h, w("mlp.w1")) + w("mlp.b1"), approximate="tanh")  # GPT-2's tanh GELU
        x = x + torch.matmul(h, w("mlp.w2")) + w("mlp.b2")
    h = F.layer_norm(x, (d,), p["lnf.g"], p["lnf.b"], eps).view(rows * steps, d)
    logits = h @ p["wte"].t()  # tied output embedding
    losses = F.cross_entropy(logits, targets.view(-1), reduction="none")
    return (losses * weights.view(-1)).sum() / max(1, loss_tokens)


def read_batches(path, shapes):
    raw = open(path, "rb").read()
    out, offset = [], 0
    for s in shapes:
        n = s["rows"] * s["steps"]
        take = lambda dtype: np.frombuffer(raw, dtype=dtype, count=n, offset=offset).reshape(s["rows"], s["steps"])
        inputs = torch.from_numpy(take("<i4").astype(np.int64)); offset += 4 * n
        targets = torch.from_numpy(take("<i4").astype(np.int64)); offset += 4 * n
        weights = torch.from_numpy(take("<f4").copy()); offset += 4 * n
        out.append((inputs, targets, weights, s))
    if offset != len(raw):
        sys.exit(f"organism_train.py: batches.bin has {len(raw)} bytes, the shapes account for {offset}")
    return out


def blas_libraries():
    """The BLAS-like libraries this process mapped (the caller picks one with LD_LIBRARY_PATH)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.split()[-1]}
    return sorted(paths)


def train(job, folder, batches):
    a, o = job["architecture"], job["optimizer"]
    params, specs = load_params(a, os.path.join(folder, "model.safetensors"))
    groups = [
        {"params": [params[n] for n, (_, decays) in specs.items() if decays], "weight_decay": o["weightDecay"]},
        {"params": [params[n] for n, (_, decays) in specs.items() if not decays], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=o["learningRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    every = list(params.values())
    warmup = job["warmupSteps"]
    losses, tokens = [], 0
    started = None
    for i, (inputs, targets, weights, shape) in enumerate(batches):
        opt.zero_grad(set_to_none=True)
        loss = forward_loss(params, a, inputs, targets, weights, shape["lossTokens"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(every, o["gradClip"])
        opt.step()
        losses.append(loss.item())  # reads the value back each step, as trainModel does
        if i + 1 == warmup:
            started = (time.perf_counter(), time.process_time())
        elif i + 1 > warmup:
            tokens += shape["tokens"]
    wall = time.perf_counter() - started[0]
    cpu = time.process_time() - started[1]
    return {
        "threads": torch.get_num_threads(), "blas": blas_libraries(),
        "params": sum(int(np.prod(shape)) for shape, _ in specs.values()),
        "tokens": tokens, "seconds": wall, "cpuSeconds": cpu,
        "tokensPerSecond": tokens / wall, "tokensPerCpuSecond": tokens / cpu, "losses": losses,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    job = json.load(open(os.path.join(args.folder, "job.json")))
    if job["warmupSteps"] < 1 or job["warmupSteps"] >= len(job["batches"]):
        sys.exit("organism_train.py: need at least one warm-up step and one timed step")
    batches = read_batches(os.path.join(args.folder, "batches.bin"), job["batches"])
    torch.set_num_threads(args.threads)
    result = train(job, args.folder, batches)
    result["torch"] = torch.__version__
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
