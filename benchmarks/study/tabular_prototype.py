"""Prototype of the wiring: TableEncoder + AutoencoderModule + mixed loss, by hand.

Not the estimator: a plain Adam loop (1500 steps of 128 rows) on the table of
sklearn_ae.examples.mixed_tables, to size the choices of docs/_design_tabular.md
before the estimators take categorical columns. Run from the repository root:
``PYTHONPATH=. python benchmarks/study/tabular_prototype.py [table_seed]`` (~1.5 min
on one core).

Scores: each row's mean over its observed cells of the column term divided by
the column's mean training term (as ``feature_error_scale_``). "hole bias":
mean score of normal rows with a hole over that of complete normal rows
(1 = holes do not make a row look odd). Imputation: mean squared error, in
standard deviations, of the missing numeric cells after 4 reconstruct-and-refill
rounds, divided by that of the column mean.
"""
import sys

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn_ae._tabular import TableEncoder
from sklearn_ae._mixed_loss import column_terms, mixed_reconstruction_loss
from sklearn_ae._modules import AutoencoderModule
from sklearn_ae.examples import make_mixed_table
torch.set_num_threads(1)

def run(seed=0, refill=0, n_components=3, hidden=(6,), mask_rate=0.0, indicators=False, steps=1500, clip=3.0, table_seed=0):
    t = make_mixed_table(random_state=table_seed)
    enc = TableEncoder().fit(t.X)
    e = enc.encode(t.X); lay = enc.layout()
    kw = dict(n_numeric=lay["n_numeric"], block_sizes=lay["block_sizes"])
    num = torch.as_tensor(np.clip(e.numeric, -clip, clip)); codes = torch.as_tensor(e.codes)
    inputs = np.clip(e.inputs, -clip, clip)
    nn_ = lay["n_numeric"]
    def net_in(x, obs):
        return torch.cat([x, (~obs).float()], 1) if indicators else x
    torch.manual_seed(seed)
    width_in = enc.n_inputs_ + (nn_ if indicators else 0)
    mod = AutoencoderModule(width_in, n_components, hidden)
    # output width must be n_outputs_: replace last decoder layer if indicators widen the input
    if indicators:
        mod.decoder_layers[-1] = torch.nn.Linear(hidden[-1] if hidden else n_components, enc.n_outputs_)
    opt = torch.optim.Adam(mod.parameters(), lr=1e-3)
    X = torch.as_tensor(inputs); obs = torch.as_tensor(e.observed)
    g = torch.Generator().manual_seed(seed); n = len(X); bs = 128
    for step in range(steps):
        idx = torch.randint(n, (bs,), generator=g)
        xb, ob = X[idx].clone(), obs[idx].clone()
        if mask_rate:
            hide = torch.rand(ob.shape, generator=g) < mask_rate
            xb[:, :nn_][hide] = 0.0  # neutral fill (standard scaling)
            ob_in = ob & ~hide
            # hide categorical one-hots too
            start = nn_
            for K in lay["block_sizes"]:
                h = torch.rand(bs, generator=g) < mask_rate
                xb[h, start:start+K] = 0.0; start += K
        else:
            ob_in = ob
        out = mod(net_in(xb, ob_in))
        loss = mixed_reconstruction_loss(out, num[idx], codes[idx], **kw)
        opt.zero_grad(); loss.backward(); opt.step()
    mod.eval()
    with torch.no_grad():
        xs = X.clone()
        for _ in range(refill):
            r = mod(net_in(xs, obs))
            xs[:, :nn_] = torch.where(obs, X[:, :nn_], r[:, :nn_].clamp(-clip, clip))
        out = mod(net_in(xs, obs))
        terms, counted = column_terms(out, num, codes, **kw)  # layout order
        scale = (terms.sum(0) / counted.sum(0).clamp(min=1)).clamp(min=1e-3 * float(terms.sum() / counted.sum()))
        rows = ((terms / scale).sum(1) / counted.sum(1)).numpy()
        auc = roc_auc_score(t.is_anomaly, rows)
        auc_k = {k: roc_auc_score(t.is_anomaly[(t.kind == k) | ~t.is_anomaly], rows[(t.kind == k) | ~t.is_anomaly]) for k in ("category", "relation")}
        contrib = (terms / scale)[:, torch.as_tensor(np.argsort(lay["column_order"]))].numpy()
        names = np.asarray(enc.feature_names_in_)
        top = names[np.argmax(contrib, 1)]
        an = t.is_anomaly
        top_acc = np.mean(top[an] == t.planted_column[an])
        # imputation: iterate refill of missing numerics 3 times
        x = X.clone()
        for _ in range(4):
            rec = mod(net_in(x, obs))
            x[:, :nn_] = torch.where(obs, X[:, :nn_], rec[:, :nn_].clamp(-clip, clip))
        imputed = enc.inverse_transform(rec.numpy())
        miss = t.missing[:, :nn_]
        comp = t.X_complete.iloc[:, :nn_].to_numpy(); sd = comp.std(0)
        imp_cols = imputed.iloc[:, :nn_].to_numpy()
        err_ae = np.mean(((imp_cols - comp) / sd)[miss] ** 2)
        mean_fill = np.nanmean(t.X.iloc[:, :nn_].to_numpy(), 0)
        err_mean = np.mean((((mean_fill + 0 * comp) - comp) / sd)[miss] ** 2)
    holes = t.missing.any(1) & ~t.is_anomaly
    clean = ~t.missing.any(1) & ~t.is_anomaly
    hole_bias = rows[holes].mean() / rows[clean].mean()
    return dict(hole_bias=round(float(hole_bias), 3), auc=round(auc, 3), **{f"auc_{k}": round(v, 3) for k, v in auc_k.items()}, top=round(top_acc, 3), imp=round(err_ae / err_mean, 3), loss=round(float(loss.detach()), 3))

CONFIGS = {
    "d=3, h=(6,)": dict(),
    "d=3, + missingness indicators": dict(indicators=True),
    "d=3, input masking 0.2": dict(mask_rate=0.2),
    "d=4, h=(8,)": dict(n_components=4, hidden=(8,)),
    "d=4, h=(8,), input masking 0.1": dict(n_components=4, hidden=(8,), mask_rate=0.1),
    "d=4, h=(8,), input masking 0.2": dict(n_components=4, hidden=(8,), mask_rate=0.2),
    "d=4, h=(8,), 3 refills at scoring": dict(n_components=4, hidden=(8,), refill=3),
}

if __name__ == "__main__":
    table_seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(f"table random_state={table_seed}; mean of network seeds 0 and 1")
    print("| config | ROC AUC | AUC category | AUC relation | planted col first | imputation / mean's | hole bias |")
    print("|---|---|---|---|---|---|---|")
    for name, cfg in CONFIGS.items():
        runs = [run(seed=s, table_seed=table_seed, **cfg) for s in (0, 1)]
        m = {k: np.mean([float(r[k]) for r in runs]) for k in runs[0]}
        print(f"| {name} | {m['auc']:.3f} | {m['auc_category']:.3f} | {m['auc_relation']:.3f} "
              f"| {m['top']:.2f} | {m['imp']:.2f} | {m['hole_bias']:.2f} |", flush=True)
