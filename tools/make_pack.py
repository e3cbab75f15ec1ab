"""Build the carried data pack for GPU training (git-ignored), in one command:

    python tools/make_pack.py [--out .pack] [--lean]

fonts (Debian fonts-croscore / liberation2 / dejavu / jetbrains-mono if installed, and the
trdg wheel's Latin fonts if unpacked under /tmp/trdg), the FUNSD training split with its
annotations, Kodak 1-12, english_g2.pth in fp16 (7.3 MB instead of 15), and, where
gimp-help-en is installed, its UI screenshots of menus/, toolbox/, tool-options/ and
preferences/ at least 128 px on each side (484 files, 15.7 MB; dialogs/ is the benchmark's
held-out set), and with --web DIR the web pages rendered there by tools/render_pages.py.
--lean keeps every other FUNSD form, 7 photos and the UI screenshots of menus/,
tool-options/ and preferences/ (276 files, 9.3 MB; ~34 MB in all), so the pack fits the
64 MiB carry beside the wheels and one codec checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from textcodec.ocr.models import RECOGNIZER_FILE, weight_path
from textcodec.train.data import UI_FOLDERS, build_pack, ui_screenshots

FONTS = ["/usr/share/fonts/truetype/croscore/*-Regular.ttf",
         "/usr/share/fonts/truetype/croscore/Arimo-Bold.ttf",
         "/usr/share/fonts/truetype/liberation2/Liberation*-Regular.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
         "/usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Regular.ttf",
         "/tmp/trdg/trdg/fonts/latin/Roboto-Regular.ttf",
         "/tmp/trdg/trdg/fonts/latin/OpenSans-Regular.ttf",
         "/tmp/trdg/trdg/fonts/latin/Lato-Regular.ttf",
         "/tmp/trdg/trdg/fonts/latin/DroidSans.ttf"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path(".pack"))
    p.add_argument("--shared", type=Path, default=Path("../shared/data"))
    p.add_argument("--lean", action="store_true")
    p.add_argument("--web", type=Path, help="a folder of tools/render_pages.py's pages")
    args = p.parse_args()
    folders = tuple(f for f in UI_FOLDERS if f != "toolbox") if args.lean else UI_FOLDERS
    ui = ui_screenshots(folders=folders)
    if not ui:
        print("no UI screenshots packed: apt-get install gimp-help-en for them")
    build_pack(args.out, args.shared, FONTS, ui=ui, web=args.web)
    if args.lean:
        images = sorted((args.out / "funsd" / "images").glob("*.png"))
        for img in images[1::2]:
            img.unlink()
            (args.out / "funsd" / "annotations" / (img.stem + ".json")).unlink()
        for photo in sorted((args.out / "photos").glob("*.png"))[7:]:
            photo.unlink()
    (args.out / "ocr").mkdir(exist_ok=True)
    state = torch.load(weight_path(RECOGNIZER_FILE), map_location="cpu", weights_only=True)
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in state.items()},
               args.out / "ocr" / RECOGNIZER_FILE)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{args.out}: {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
