"""A checkpoint trained from a shipped one with its encoder and entropy model frozen (the
fusion, refine and decoder stages) differs from its parent only in a few tensors: carry back
those alone, so that four runs' checkpoints fit one call's return (a whole one is ~16 MB).

    python3 tools/gpu/delta.py split PARENT.pt CHILD.pt DELTA.pt   (on the device machine)
    python3 tools/gpu/delta.py join PARENT.pt DELTA.pt CHILD.pt    (here)

split keeps the child's tensors that are new or differ from the parent's and drops the
entropy tables (``coding``), which a frozen entropy model leaves as the parent's; join puts
the parent's back under them. It refuses a child whose entropy model moved.
"""

import argparse
import sys

import torch

from textcodec.checkpoint import read_blob


def split(parent: dict, child: dict) -> dict:
    if any(not torch.equal(child["state"][k], v) for k, v in parent["state"].items()
           if "entropy" in k or k == "log_gain" or k.startswith(("g_a.", "h_a."))):
        raise SystemExit("the child's encoder or entropy model differs from the parent's: "
                         "carry the whole checkpoint")
    state = {k: v for k, v in child["state"].items()
             if k not in parent["state"] or not torch.equal(v, parent["state"][k])}
    return {**{k: v for k, v in child.items() if k != "coding"}, "state": state,
            "delta_of": parent["name"]}


def join(parent: dict, delta: dict) -> dict:
    if delta.get("delta_of") != parent["name"]:
        raise SystemExit(f"the delta was made against {delta.get('delta_of')!r}, "
                         f"not {parent['name']!r}")
    blob = {k: v for k, v in delta.items() if k != "delta_of"}
    return {**blob, "state": {**parent["state"], **delta["state"]}, "coding": parent["coding"]}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["split", "join"])
    p.add_argument("parent")
    p.add_argument("src")
    p.add_argument("dst")
    a = p.parse_args(argv)
    parent = read_blob(a.parent)
    src = torch.load(a.src, map_location="cpu", weights_only=True)
    out = split(parent, src) if a.mode == "split" else join(parent, src)
    torch.save(out, a.dst)
    print(f"{a.dst}: {len(out['state'])} tensors", file=sys.stderr)


if __name__ == "__main__":
    main()
