"""A PyTorch replica of the paper's Fig. 10 Geometry runs (its `scripts/run_nsl.py`), to compare
the final loss with this project's `skills sweep` (docs/models.md §3.6).

The model: CE Geometry model, n task vectors t_i = g_i/|g_i| (g_i ~ N(0, I_N)), θ(0) = 0,
s_i = σ(t_i·θ); each step draws B skill indices from the Zipf frequencies p_i ∝ i^−α (with
replacement, like `np.random.choice(n, B, p=p)`), back-propagates mean_b −ln s_{i_b} and takes
one torch.optim.Adam step (SignGD = Adam with β = (0, 0), or Adam (0.9, 0.999)). The logged
loss is the population loss Σ_i p_i (−ln s_i), computed like run_nsl.py: float32 −ln σ, summed
against float64 p. As in run_nsl.py, row t is θ after t updates.

Modes (all print CSV on stdout):

  official  one run, the script's own loop: torch.manual_seed(seed), np.random.seed(seed),
            torch.randn(n, N) task vectors, np.random.choice batches, one Adam per run.
            Columns: seed,alpha,dim,opt,dtype,steps,loss (loss = L at row `steps`), and
            loss_at_log (L at the last row run_nsl.py saves: the last multiple of 1000 below
            `steps`).
  batched   S independent runs at once (a leading seed axis on every tensor; Adam is
            element-wise, so one optimizer over the stacked θ equals S optimizers). Same model
            and the same distributions; the batches come from torch uniforms through
            searchsorted on the cdf (`side='right'`, numpy's legacy `choice`). One row per run.
  vectors   the task vectors `batched` draws for the same --seeds, one line per skill (for the
            product's ignored test `fig10_product_on_given_vectors`: same vectors, own batches).
  replay    the given task vectors and per-step batch counts (written by this project's
            ignored test `fig10_dump_for_torch_replay`, tests/fig10_alpha_n.rs), replayed in
            float32 or float64; prints the loss every `--every` rows, to compare with the
            product's own trajectory step by step.

Examples:
  python fig10_torch.py official --seed 0 --alpha 1 --dim 40 --steps 30000
  python fig10_torch.py batched --seeds 0 16 --alpha 1 --dim 40 --steps 30000 --dtype float32
  python fig10_torch.py replay dump.txt --dtype float64 --every 100

Self-contained; needs torch and numpy. Uses one thread (`torch.set_num_threads(1)`).
"""

import argparse
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def zipf(n, alpha):
    p = 1 / (np.arange(n) + 1) ** alpha
    return p / np.sum(p)


def make_opt(param, opt, lr):
    betas = (0.0, 0.0) if opt == "signgd" else (0.9, 0.999)
    return torch.optim.Adam([param], lr=lr, betas=betas)


def official(a):
    """run_nsl.py's loop, unchanged but for the knobs (steps, optimizer, dtype)."""
    dt = DTYPES[a.dtype]
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    n, dim = a.n, a.dim
    prob = zipf(n, a.alpha)
    u = torch.randn(n, dim)
    u = (u / torch.norm(u, dim=1, keepdim=True)).to(dt)
    x = torch.nn.Parameter(torch.zeros(dim, dtype=dt))
    optimizer = make_opt(x, a.opt, a.lr)
    losses = []
    for _ in range(a.steps + 1):
        optimizer.zero_grad()
        s = torch.sigmoid(u @ x)
        losses.append(np.sum(-np.log(s.detach().numpy()) * prob))
        if len(losses) == a.steps + 1:
            break
        idx = np.random.choice(n, a.batch, p=prob)
        loss = torch.mean(-torch.log(s[idx]))
        loss.backward()
        optimizer.step()
    log_row = ((a.steps - 1) // 1000) * 1000
    print("seed,alpha,dim,opt,dtype,steps,loss,loss_at_log")
    print(f"{a.seed},{a.alpha},{dim},{a.opt},{a.dtype},{a.steps},{float(losses[-1])!r},{float(losses[log_row])!r}")


def batched(a):
    """S runs side by side; the same model as `official`, other random streams."""
    dt = DTYPES[a.dtype]
    s0, count = a.seeds
    n, dim, b = a.n, a.dim, a.batch
    gen = torch.Generator().manual_seed(1_000_003 * s0 + count)
    prob = zipf(n, a.alpha)
    cdf = torch.tensor(np.cumsum(prob) / np.sum(prob), dtype=torch.float64)
    prob_t = torch.tensor(prob, dtype=torch.float64)
    g = torch.randn(count, n, dim, generator=gen)
    tv = (g / torch.norm(g, dim=2, keepdim=True)).to(dt)
    x = torch.nn.Parameter(torch.zeros(count, dim, dtype=dt))
    optimizer = make_opt(x, a.opt, a.lr)
    record = sorted(set(a.record + [a.steps]))
    out = {}
    t0 = time.perf_counter()
    for step in range(a.steps + 1):
        optimizer.zero_grad()
        s = torch.sigmoid(torch.bmm(tv, x.unsqueeze(2)).squeeze(2))
        if step in record:
            ell = (-torch.log(s.detach())).to(torch.float64)
            out[step] = (ell @ prob_t).tolist()
        if step == a.steps:
            break
        r = torch.rand(count, b, generator=gen, dtype=torch.float64)
        idx = torch.searchsorted(cdf, r, right=True).clamp_(max=n - 1)
        loss = (-torch.log(torch.gather(s, 1, idx))).mean(dim=1).sum()
        loss.backward()
        optimizer.step()
    secs = time.perf_counter() - t0
    print("run,alpha,dim,opt,dtype,steps," + ",".join(f"loss@{r}" for r in record))
    for k in range(count):
        vals = ",".join(repr(out[r][k]) for r in record)
        print(f"{s0 + k},{a.alpha},{dim},{a.opt},{a.dtype},{a.steps},{vals}")
    print(f"# {count} runs x {a.steps} steps in {secs:.1f} s", file=sys.stderr)


def vectors(a):
    """The task vectors of `batched --seeds FIRST COUNT` (float32), one line per skill."""
    s0, count = a.seeds
    gen = torch.Generator().manual_seed(1_000_003 * s0 + count)
    g = torch.randn(count, a.n, a.dim, generator=gen)
    tv = g / torch.norm(g, dim=2, keepdim=True)
    out = sys.stdout
    for row in tv.reshape(-1, a.dim).tolist():
        out.write(" ".join(repr(v) for v in row) + "\n")


def replay(a):
    """Replays the product's own task vectors and batch counts (see the module doc)."""
    dt = DTYPES[a.dtype]
    with open(a.dump) as f:
        head = f.readline().split()
        n, dim, b, steps = (int(v) for v in head[:4])
        lr, opt = float(head[4]), head[5]
        prob = np.array([float(v) for v in f.readline().split()])
        tv = np.array([[float(v) for v in f.readline().split()] for _ in range(n)])
        batches = []
        for _ in range(steps):
            row = f.readline().split()
            batches.append([(int(row[i]), int(row[i + 1])) for i in range(0, len(row), 2)])
    tv = torch.tensor(tv, dtype=dt)
    prob_t = torch.tensor(prob, dtype=torch.float64)
    x = torch.nn.Parameter(torch.zeros(dim, dtype=dt))
    optimizer = make_opt(x, opt, lr)
    print("step,loss")
    for step in range(steps + 1):
        optimizer.zero_grad()
        z = tv @ x
        s = torch.sigmoid(z)
        if step % a.every == 0 or step == steps:
            # softplus(−z) = −ln σ(z), accurate where σ rounds to 1
            ell = torch.nn.functional.softplus(-z.detach()).to(torch.float64)
            print(f"{step},{float(ell @ prob_t)!r}")
        if step == steps:
            break
        # the batch as counts c_i: mean_b −ln s_{i_b} = Σ_i (c_i/B) (−ln s_i)
        ids = torch.tensor([i for i, _ in batches[step]])
        c = torch.tensor([c for _, c in batches[step]], dtype=dt)
        loss = (c * -torch.log(s[ids])).sum() / b
        loss.backward()
        optimizer.step()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    for name in ("official", "batched"):
        p = sub.add_parser(name)
        if name == "official":
            p.add_argument("--seed", type=int, default=0)
        else:
            p.add_argument("--seeds", type=int, nargs=2, default=[0, 16], metavar=("FIRST", "COUNT"))
            p.add_argument("--record", type=int, nargs="*", default=[])
        p.add_argument("--alpha", type=float, default=1.0)
        p.add_argument("--dim", type=int, default=40)
        p.add_argument("--n", type=int, default=1000)
        p.add_argument("--batch", type=int, default=1024)
        p.add_argument("--lr", type=float, default=0.01)
        p.add_argument("--steps", type=int, default=30000)
        p.add_argument("--opt", choices=("signgd", "adam"), default="signgd")
        p.add_argument("--dtype", choices=tuple(DTYPES), default="float32")
    p = sub.add_parser("vectors")
    p.add_argument("--seeds", type=int, nargs=2, default=[0, 16], metavar=("FIRST", "COUNT"))
    p.add_argument("--dim", type=int, default=40)
    p.add_argument("--n", type=int, default=1000)
    p = sub.add_parser("replay")
    p.add_argument("dump")
    p.add_argument("--dtype", choices=tuple(DTYPES), default="float64")
    p.add_argument("--every", type=int, default=100)
    a = ap.parse_args()
    {"official": official, "batched": batched, "vectors": vectors, "replay": replay}[a.mode](a)


if __name__ == "__main__":
    main()
