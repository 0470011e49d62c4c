"""Plots a pure-fit run: the loss curve and the data against the fitted model.

    python3 scripts/plot_fit.py build/pure-fit-demo            # writes fit.png there
    python3 scripts/plot_fit.py OUT_DIR --output figure.png

Reads OUT_DIR/results.h5 (h5py) and draws with matplotlib (pip install h5py
matplotlib, or apt install python3-h5py python3-matplotlib). For x/y models
the data and the prediction are drawn against x; for pair potentials the
predicted energies against the observed ones.
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", help="pure-fit's output.dir")
    ap.add_argument("--output", help="PNG file (default OUT_DIR/fit.png)")
    args = ap.parse_args()
    path = os.path.join(args.out_dir, "results.h5")
    if not os.path.exists(path):
        sys.exit(f"plot_fit: {path} does not exist (run pure-fit first)")
    with h5py.File(path, "r") as f:
        loss = f["loss_history"][()]
        pred = f["prediction"][()]
        data = {k: f["data"][k][()] for k in f["data"]}
        model = f.attrs["model"]
        solver = f.attrs["solver"]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
    ax0.semilogy(range(len(loss)), loss)
    ax0.set_xlabel("step" if len(loss) > 2 else "start / end")
    ax0.set_ylabel("mean squared residual")
    ax0.set_title(f"{model}: loss ({solver})")
    if "x" in data and data["x"].ndim == 1:
        order = data["x"].argsort()
        ax1.plot(data["x"], data["y"], ".", ms=3, label="data")
        ax1.plot(data["x"][order], pred[order], "-", label="fit")
        ax1.set_xlabel("x")
        ax1.set_ylabel("y")
    else:
        observed = data.get("energies", data.get("y"))
        ax1.plot(observed, pred, ".", ms=4)
        lo, hi = min(observed.min(), pred.min()), max(observed.max(), pred.max())
        ax1.plot([lo, hi], [lo, hi], "k--", lw=0.8)
        ax1.set_xlabel("observed")
        ax1.set_ylabel("predicted")
    ax1.legend() if "x" in data else None
    ax1.set_title("data and fitted model")
    fig.tight_layout()
    out = args.output or os.path.join(args.out_dir, "fit.png")
    fig.savefig(out, dpi=120)
    print(f"plot_fit: wrote {out}")


if __name__ == "__main__":
    main()
