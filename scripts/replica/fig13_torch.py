#!/usr/bin/env python3
"""A PyTorch replica of Fig. 13 (grokking; docs/models.md §6.2), self-contained.

Set-up (the paper's notebook Fig13_grokking.ipynb): modular addition mod p = 59, all p² pairs,
80 % (2784) for training, chosen by np.random.choice(p², 2784, replace=False) after seeding;
a learnable embedding E ∈ R^{59×128} ~ N(0, 1), input concat(E[a], E[b]); MLP 256-100-100-59
with SiLU after the hidden layers, PyTorch's default nn.Linear init; everything float64;
mean softmax cross-entropy, full batch; AdamW(lr 1e-2, wd 0.03) over every parameter,
betas (0, 0) ("SignGD") or (0.9, 0.999) ("Adam"). Accuracies are recorded before each update
(step t = after t updates), as in the notebook.

Modes:

  official  the notebook's own code path and random streams for --seeds (torch.manual_seed and
            np.random.seed), stopped at the first step with test accuracy >= 0.99.
  fixture   PyTorch's loss and per-tensor gradient summaries at the states of one dump, the
            reference data of tests/fig13.rs (tests/data/fig13_torch_gradients.csv).
  product   load a JSON state dump of the product (tests/fig13.rs, dump_states): the same
            split (in the product's row order) and initial θ; either compare the gradient and
            one update at every dumped state tensor by tensor (--compare), or train from θ_0
            to 99 % test accuracy.

Options that regroup PyTorch's sums without changing the mathematics: --threads N
(torch.set_num_threads), --shuffle S (permute the training rows with seed S; the notebook's
own order is np.random.choice's, the product's is sorted by (a, b)).

Prints one CSV line per run: mode,opt,seed,variant,t90,t99.
"""

import argparse
import json
import sys

import numpy as np
import torch

P, D, HIDDEN, TRAIN_FRAC = 59, 128, 100, 0.8
BETAS = {"signgd": (0.0, 0.0), "adam": (0.9, 0.999)}


class Net(torch.nn.Module):
    """The notebook's MLP: three nn.Linear (created first), then the embedding."""

    def __init__(self):
        super().__init__()
        self.linears = torch.nn.ModuleList(
            [torch.nn.Linear(2 * D, HIDDEN), torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.Linear(HIDDEN, P)]
        )
        self.embedding = torch.nn.Parameter(torch.normal(0, 1, size=(P, D)))

    def forward(self, a, b):
        x = torch.cat([self.embedding[a], self.embedding[b]], dim=1)
        for lin in self.linears[:-1]:
            x = torch.nn.functional.silu(lin(x))
        return self.linears[-1](x)

    def tensors(self):
        """θ in the product's layout: [W1, b1, W2, b2, W3, b3, E]."""
        out = []
        for lin in self.linears:
            out += [("W", lin.weight), ("b", lin.bias)]
        out.append(("E", self.embedding))
        return out

    def load_flat(self, theta):
        at = 0
        with torch.no_grad():
            for _, t in self.tensors():
                n = t.numel()
                t.copy_(torch.tensor(theta[at : at + n], dtype=torch.float64).view_as(t))
                at += n
        assert at == len(theta), (at, len(theta))

    def flat(self, grads=False):
        parts = [(t.grad if grads else t).detach().reshape(-1) for _, t in self.tensors()]
        return torch.cat(parts).numpy().copy()


NAMES = ["W1", "b1", "W2", "b2", "W3", "b3", "E"]


def sizes():
    return [HIDDEN * 2 * D, HIDDEN, HIDDEN * HIDDEN, HIDDEN, P * HIDDEN, P, P * D]


def official_setup(seed):
    """The notebook's set-up for one seed: model first, then the split (same streams)."""
    np.random.seed(seed)
    torch.manual_seed(seed)
    net = Net()
    x = np.arange(P)
    xx, yy = np.meshgrid(x, x)  # indexing "xy", as the notebook
    data_id = np.transpose([xx.reshape(-1), yy.reshape(-1)])
    train_num = int(P**2 * TRAIN_FRAC)
    train_id = np.random.choice(P**2, train_num, replace=False)
    test_id = np.array(list(set(np.arange(P**2)) - set(train_id)))
    return net, data_id[train_id], data_id[test_id]


def tensors_of(pairs):
    pairs = np.asarray(pairs).reshape(-1, 2)
    a = torch.tensor(pairs[:, 0], dtype=torch.long)
    b = torch.tensor(pairs[:, 1], dtype=torch.long)
    return a, b, (a + b) % P


def make_opt(net, opt):
    return torch.optim.AdamW(net.parameters(), lr=0.01, weight_decay=0.03, betas=BETAS[opt])


def train(net, train_pairs, test_pairs, opt, limit):
    """Steps until test accuracy >= 0.99 (or `limit`); returns (t90, t99)."""
    ta, tb, ty = tensors_of(train_pairs)
    va, vb, vy = tensors_of(test_pairs)
    optimizer = make_opt(net, opt)
    t90 = None
    for step in range(limit + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(ta, tb), ty)
        with torch.no_grad():
            acc = (net(va, vb).argmax(1) == vy).double().mean().item()
        if t90 is None and acc >= 0.9:
            t90 = step
        if step % 100 == 0:
            print(f"  step {step}: train loss {loss.item():.3e}, test acc {acc:.4f}", file=sys.stderr, flush=True)
        if acc >= 0.99:
            return t90, step
        loss.backward()
        optimizer.step()
    return t90, None


def reference_gradient(net, ta, tb, ty):
    """The gradient with the cross-entropy's ∂L/∂f computed without cancellation: p_c/n for
    c ≠ y and −Σ_{c≠y} p_c/n for the label (both implementations take p_y − 1, which keeps only
    ≈ 7 digits once the training loss is ≈ 1e−10)."""
    net.zero_grad()
    logits = net(ta, tb)
    with torch.no_grad():
        p = torch.softmax(logits, 1)
        others = torch.ones_like(p)
        others.scatter_(1, ty[:, None], 0.0)
        d = p * others
        d.scatter_(1, ty[:, None], -d.sum(1, keepdim=True))
        d /= len(ty)
    logits.backward(d)
    return net.flat(grads=True)


def compare(dump, opt):
    """Per dumped state: PyTorch's gradient at the product's θ_t against the product's, tensor
    by tensor, both against a cancellation-free reference, and (SignGD, whose update needs no optimizer state) the update θ_t → θ_{t+1}
    against the product's next dumped θ when that is step t + 1."""
    ta, tb, ty = tensors_of(dump["train"])
    va, vb, vy = tensors_of(dump["test"])
    states = {s["step"]: s for s in dump["states"]}
    net = Net()
    bounds = np.cumsum([0] + sizes())
    for t in sorted(states):
        s = states[t]
        net.load_flat(s["theta"])
        net.zero_grad()
        logits = net(ta, tb)
        loss = torch.nn.functional.cross_entropy(logits, ty)
        loss.backward()
        with torch.no_grad():
            tl = torch.nn.functional.cross_entropy(net(va, vb), vy).item()
            acc = (net(va, vb).argmax(1) == vy).double().mean().item()
        g = net.flat(grads=True)
        gp = np.array(s["grad"])
        gr = reference_gradient(net, ta, tb, ty)
        print(
            f"step {t}: loss torch {loss.item():.17g} product {s['loss'][0]:.17g} "
            f"(rel {abs(loss.item() - s['loss'][0]) / abs(loss.item()):.1e}); "
            f"test loss {tl:.6g}/{s['loss'][1]:.6g}, test acc {acc:.4f}/{s['acc'][1]:.4f}"
        )
        for name, lo, hi in zip(NAMES, bounds[:-1], bounds[1:]):
            a, b = g[lo:hi], gp[lo:hi]
            scale = np.abs(a).max()
            diff = np.abs(a - b)
            rel = diff.max() / scale if scale > 0 else 0.0
            # the SignGD direction: where the two signs disagree
            flips = int(np.sum(np.sign(a) != np.sign(b)))
            # the mean signed difference relative to the scale: a bias shows as a large value
            bias = float(np.mean((b - a) * np.sign(a))) / scale if scale > 0 else 0.0
            small = int(np.sum(np.abs(a) < 1e-7))
            print(
                f"  {name:2s} max|g| {scale:.3e}  max|Δ|/max|g| {rel:.1e}  "
                f"mean sign(g)·Δ/max|g| {bias:+.1e}  sign flips {flips}  |g|<1e-7: {small}"
            )
            r = gr[lo:hi]
            rr = r @ r
            for who, x in (("torch", a), ("product", b)):
                e = x - r
                print(
                    f"     {who:7s} against the reference: |g−ref|/|ref| {np.sqrt(e @ e / rr):.1e}, "
                    f"along ref {e @ r / rr:+.1e}"
                )
        if opt == "signgd" and (t + 1) in states:
            optimizer = make_opt(net, opt)
            optimizer.step()
            th = net.flat()
            nxt = np.array(states[t + 1]["theta"])
            print(f"  one SignGD update from the same θ: max|θ_torch − θ_product| = {np.abs(th - nxt).max():.1e}")


def probe(n):
    """A fixed probe vector, exact in both languages: ((7919 j) mod 1000)/1000 − 1/2."""
    j = np.arange(n, dtype=np.int64)
    return ((7919 * j) % 1000) / 1000.0 - 0.5


def fixture(dump, out):
    """PyTorch's loss and gradient at each dumped θ of the product, summarised per tensor (Σg,
    Σg², Σ g·θ, Σ g·probe) as CSV for tests/fig13.rs."""
    ta, tb, ty = tensors_of(dump["train"])
    net = Net()
    bounds = np.cumsum([0] + sizes())
    rows = ["step,tensor,sum,sum_sq,dot_theta,dot_probe"]
    for s in dump["states"]:
        net.load_flat(s["theta"])
        net.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(ta, tb), ty)
        loss.backward()
        g, th = net.flat(grads=True), np.array(s["theta"])
        rows.append(f"{s['step']},loss,{loss.item():.17g},,,")
        for name, lo, hi in zip(NAMES, bounds[:-1], bounds[1:]):
            gs, ts = g[lo:hi], th[lo:hi]
            rows.append(
                f"{s['step']},{name},{gs.sum():.17g},{(gs * gs).sum():.17g},"
                f"{(gs * ts).sum():.17g},{(gs * probe(hi - lo)).sum():.17g}"
            )
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"wrote {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["official", "product", "fixture"])
    ap.add_argument("--opt", choices=sorted(BETAS), default="signgd")
    ap.add_argument("--seeds", default="0", help="official: comma-separated seeds")
    ap.add_argument("--dump", nargs="*", default=[], help="product: JSON dumps of tests/fig13.rs")
    ap.add_argument("--compare", action="store_true", help="product: compare the dumped states")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--shuffle", type=int, default=None, help="permute the training rows (seed)")
    ap.add_argument("--limit", type=int, default=10000)
    ap.add_argument("--out", default="tests/data/fig13_torch_gradients.csv", help="fixture: the CSV")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)

    def variant():
        v = f"threads={args.threads}"
        return v + (f";shuffle={args.shuffle}" if args.shuffle is not None else "")

    def shuffled(pairs):
        if args.shuffle is None:
            return pairs
        pairs = np.asarray(pairs).reshape(-1, 2)
        return pairs[np.random.default_rng(args.shuffle).permutation(len(pairs))]

    if args.mode == "official":
        for seed in [int(s) for s in args.seeds.split(",")]:
            net, tr, te = official_setup(seed)
            t90, t99 = train(net, shuffled(tr), te, args.opt, args.limit)
            print(f"official,{args.opt},{seed},{variant()},{t90},{t99}", flush=True)
        return
    if args.mode == "fixture":
        with open(args.dump[0]) as f:
            fixture(json.load(f), args.out)
        return
    for path in args.dump:
        with open(path) as f:
            dump = json.load(f)
        opt = dump.get("opt", args.opt)
        if args.compare:
            print(f"== {path}")
            compare(dump, opt)
            continue
        net = Net()
        net.load_flat(dump["states"][0]["theta"])
        assert dump["states"][0]["step"] == 0
        t90, t99 = train(net, shuffled(dump["train"]), dump["test"], opt, args.limit)
        print(f"product-init,{opt},{dump['seed']},{variant()},{t90},{t99}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
