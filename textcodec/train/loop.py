"""The training loop: one GPU or several through torchrun (DDP), resumable, JSONL-logged.

    python -m textcodec.train --out runs/base --steps 25000 --losses rd
    python -m textcodec.train --out runs/logit --init runs/base/last.pt --losses rd,logit
    torchrun --nproc-per-node 2 -m textcodec.train ...

Stages follow the papers: R+D pre-training (the text-unaware baseline), then fine-tuning
with the text logit loss (Lai et al. 2024) or the OCR loss with rate (TFIC).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import torch

from textcodec import nets
from textcodec.nets.hyperprior import FUSION_GUIDANCE
from textcodec.checkpoint import (load_weights, model_state, read_blob, remap_block_rates,
                                  save_release)
from textcodec.losses import (LOGIT_DISTANCES, RateNormalisedMSE, decoder_distortion,
                              ocr_ctc_loss, rate_distortion, text_logit_loss)
from textcodec.train.data import CORRUPTION, MixedDataset, collate, parse_corruption

MAX_TEXT_CROPS = 48
SIZE_KEYS = ("N", "M", "N_dec", "N_last", "N_enc", "context_channels", "refine_channels",
             "refine_layers")
# what each stage trains (parameter-name prefixes); the rest stays frozen
STAGE_PARAMS = {"fusion": ("fusion.",), "analysis": ("g_a.",), "refine": ("refine.",),
                "decoder": ("g_s.", "refine.", "log_inv_gain")}
DECODER_STAGES = ("refine", "decoder")   # the rate cannot move: --decoder-loss


def parse_logit_filter(spec: str | None) -> tuple[float | None, float | None]:
    """'M_MIN' or 'M_MIN,SIGMA_MAX' -> (m_min, sigma_max); None -> no filter."""
    if not spec:
        return None, None
    parts = spec.split(",")
    try:
        values = [float(v) for v in parts]
    except ValueError:
        raise ValueError(f"--logit-filter: {spec!r} is not M_MIN or M_MIN,SIGMA_MAX") from None
    if len(values) > 2 or (len(values) == 2 and values[1] <= 0):
        raise ValueError(f"--logit-filter: {spec!r} is not M_MIN or M_MIN,SIGMA_MAX "
                         "(SIGMA_MAX > 0)")
    return values[0], values[1] if len(values) == 2 else None


def small_glyph_boxes(boxes: torch.Tensor, texts: list[str], max_char_area: float) -> torch.Tensor:
    """Indices of the boxes whose area per character is at most max_char_area (0: all)."""
    if not max_char_area:
        return torch.arange(len(boxes))
    area = (boxes[:, 3] - boxes[:, 1]).clamp(min=0) * (boxes[:, 4] - boxes[:, 2]).clamp(min=0)
    chars = torch.tensor([max(len(t), 1) for t in texts], dtype=area.dtype)
    return torch.nonzero(area / chars <= max_char_area).flatten()


def parse_rates(spec: str | None, num_rates: int | None = None) -> tuple[int, ...] | None:
    """'3,4,5' -> (3, 4, 5): the rate indices to train (None: all), a rate named twice drawn
    twice as often; checked against num_rates when given."""
    if not spec:
        return None
    try:
        rates = tuple(sorted(int(v) for v in spec.split(",")))
    except ValueError:
        raise ValueError(f"--train-rates: {spec!r} is not a comma list of rate indices") from None
    if rates[0] < 0 or (num_rates is not None and rates[-1] >= num_rates):
        raise ValueError(f"--train-rates: {spec!r} must lie in 0..{(num_rates or 1) - 1}")
    return rates


def learning_rate(step: int, start: float, end: float, decay_steps: int) -> float:
    """Cosine decay from start to end over decay_steps steps, then end."""
    t = min(step / max(decay_steps, 1), 1.0)
    return end + (start - end) * 0.5 * (1 + math.cos(math.pi * t))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="textcodec-train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, help="JSON file of these options (flags override)")
    p.add_argument("--out", type=Path, required=False, default=Path("runs/default"))
    p.add_argument("--name", default="textcodec-model")
    p.add_argument("--arch", help="architecture (default: the --init or resumed checkpoint's, "
                   "else vr-hyperprior)")
    p.add_argument("--steps", type=int, default=25000)
    p.add_argument("--max-minutes", type=float, default=0, help="stop and save after this long")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--lr-end", type=float,
                   help="decay the learning rate from --lr to this (cosine) over "
                   "--lr-decay-steps of this run's steps; a resumed run keeps its place")
    p.add_argument("--lr-decay-steps", type=int, default=20000)
    p.add_argument("--lr-offset", type=int, default=0,
                   help="start the decay this many steps in: a leg that goes on from an "
                   "earlier leg's --init checkpoint keeps one schedule across machines")
    p.add_argument("--losses", default="rd", help="comma list of rd, logit, ocr")
    p.add_argument("--lambdas", help="comma list of the model's rates (default: the arch's); "
                   "an --init checkpoint with other rates has its gains carried over")
    p.add_argument("--train-rates", metavar="I,J,...",
                   help="train only these rate indices (default: every rate of the model), "
                   "one named twice drawn twice as often: training where it matters")
    p.add_argument("--stage", default="backbone",
                   choices=["backbone", "analysis", "fusion", "refine", "decoder"],
                   help="fusion = TextBoost stage 2: train only the fusion block; analysis = "
                   "train only the analysis transform (g_a) on R+D, the synthesis and the "
                   "entropy model frozen (after narrowing it: tools/narrow_checkpoint.py --enc); "
                   "refine = only the refinement stage (--refine); decoder = the synthesis, "
                   "its inverse gains and the refinement stage: the encoder and the entropy "
                   "model frozen, so the files are the --init model's, decoded better")
    p.add_argument("--refine", metavar="CHANNELS,LAYERS",
                   help="add the rate-conditioned refinement stage after the synthesis "
                   "(textcodec.nets.refine; 32,4 costs ~0.13 s at 720p on two CPU cores); it "
                   "starts as the identity")
    p.add_argument("--decoder-loss", choices=("psnr", "rate-mse"), default="psnr",
                   help="the decoder-only stages' loss: psnr = minus each crop's PSNR "
                   "(--decoder-eps caps it); rate-mse = each crop's squared error over its "
                   "rate's running mean (textcodec.losses.RateNormalisedMSE)")
    p.add_argument("--decoder-eps", type=float, default=1e-5,
                   help="the decoder-only stages' loss, mean 10*log10(mse + EPS): 1e-5 caps "
                   "each crop near 50 dB; larger leans toward plain MSE (crops already drawn "
                   "well weigh less)")
    p.add_argument("--fusion-from", type=Path,
                   help="fusion stage: start the fusion block from this checkpoint's (warm start "
                   "on a newer backbone)")
    p.add_argument("--fresh-fusion", action="store_true",
                   help="fusion stage: start a new block even if --init carries one (ablations)")
    p.add_argument("--fusion-size", metavar="CHANNELS,UNITS",
                   help="fusion stage: a block of another size than the paper's 16 channels "
                        "and 3 residual units a branch (a unit's 3x3 convolution widens the "
                        "receptive field by a pixel each way); it starts fresh")
    p.add_argument("--guidance", choices=FUSION_GUIDANCE, default="rendered",
                   help="fusion stage: the guidance the block learns from: rendered = every "
                   "word in the guidance font over its box (TextBoost's); fitted = the words "
                   "the pack holds glyph fits for drawn by them, as the decoder draws a file's "
                   "GLYPHS fits for such a block (the pack needs tools/fit_pack.py's fits)")
    p.add_argument("--alpha", type=float, default=10.0, help="guidance-consistent loss weight")
    p.add_argument("--corrupt", default=",".join(f"{v:g}" for v in CORRUPTION),
                   help="fusion stage: OCR errors in the guidance: p_drop,p_sub,max_shift_px, "
                   "or LOW:HIGH (two such triples) for errors that grow from the lowest rate "
                   "to the highest")
    p.add_argument("--kappa", type=float, default=0.02, help="text logit loss weight")
    p.add_argument("--kappa-by-rate", action="store_true",
                   help="scale each box's logit term by its sample's lambda over the rates' "
                   "geometric mean (constant text/MSE balance at every rate)")
    p.add_argument("--decoder-input", choices=("noise", "round"), default="noise",
                   help="what the synthesis sees in training: y with uniform noise (the rate "
                   "term's proxy) or y rounded around its means with a straight-through "
                   "gradient, as the decoder will see it")
    p.add_argument("--logit-distance", choices=LOGIT_DISTANCES, default="mse",
                   help="the text logit loss's distance: mse (the paper's, over all logits) or "
                   "kl (KL divergence of the original's per-frame class distribution)")
    p.add_argument("--logit-filter", metavar="M_MIN[,SIGMA_MAX]",
                   help="the paper's region filter: keep a box only where the original's "
                   "logits have median max >= M_MIN (and stdev <= SIGMA_MAX)")
    p.add_argument("--text-max-char-area", type=float, default=0,
                   help="text losses see only words whose box area per character is at most "
                   "this many px^2 (small glyphs); 0 = every word")
    p.add_argument("--ocr-weight", type=float, default=0.1, help="OCR (CTC) loss weight")
    p.add_argument("--pack", type=Path, help="data pack folder (fonts, funsd, photos)")
    p.add_argument("--mix", default="0.5,0.15,0.2,0.15",
                   help="screen,document,funsd,photo[,ui[,web]]: the sources' shares (ui: "
                        "real UI screenshots, the pack's ui/; web: pages rendered by a "
                        "headless browser, its web/; tools/make_pack.py)")
    p.add_argument("--init", type=Path, help="start from these weights (new optimizer)")
    p.add_argument("--resume", action="store_true", help="continue out/last.pt if present")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--save-every", type=int, default=2000)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--compile", action="store_true",
                   help="run the forward pass under torch.compile (GPU: ~1.4x steps/s at "
                        "batch 16 on an H100, a minute or two to compile first)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args(argv)
    try:
        parse_corruption(args.corrupt)
        parse_logit_filter(args.logit_filter)
        parse_rates(args.train_rates)
    except ValueError as e:
        p.error(str(e))
    if args.config:
        defaults = vars(p.parse_args([] if argv is None else []))
        for k, v in json.loads(args.config.read_text()).items():
            k = k.replace("-", "_")
            if getattr(args, k) == defaults.get(k):
                setattr(args, k, type(defaults[k])(v) if defaults.get(k) is not None else v)
    return args


def _distributed(device: str) -> tuple[int, int]:
    """(rank, world size) under torchrun; NCCL across GPUs, gloo for CPU runs (tests)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        torch.distributed.init_process_group("nccl" if device == "cuda" else "gloo")
        rank = torch.distributed.get_rank()
        if device == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
        return rank, world
    return 0, 1


def train(args: argparse.Namespace) -> dict:
    rank, world = _distributed(args.device)
    device = torch.device(f"cuda:{torch.cuda.current_device()}" if args.device == "cuda"
                          else args.device)
    torch.manual_seed(args.seed + rank)
    random.seed(args.seed + rank)
    losses = set(args.losses.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    fusion_stage = args.stage == "fusion"
    init_blob = read_blob(args.init) if args.init else None
    last = args.out / "last.pt"
    resume_blob = torch.load(last, map_location="cpu", weights_only=True) \
        if args.resume and last.exists() else None
    arch_kw = {"fusion": fusion_stage}
    if args.fusion_size:
        if not fusion_stage:
            raise SystemExit("--fusion-size needs --stage fusion")
        try:
            channels, units = (int(v) for v in args.fusion_size.split(","))
        except ValueError:
            raise SystemExit(f"--fusion-size: {args.fusion_size!r} is not CHANNELS,UNITS") \
                from None
        if channels < 4 or channels % 2 or units < 1:
            raise SystemExit("--fusion-size: CHANNELS must be even and at least 4, UNITS >= 1")
        if args.fusion_from:
            raise SystemExit("--fusion-size starts a new block: leave out --fusion-from")
        arch_kw.update(fusion_channels=channels, fusion_units=units)
        args.fresh_fusion = True      # another size: no block to start from
    if args.guidance != "rendered":
        if not fusion_stage:
            raise SystemExit(f"--guidance {args.guidance} needs --stage fusion")
        arch_kw["fusion_guidance"] = args.guidance
    resumed = resume_blob.get("config", {}) if resume_blob is not None else {}
    if "fusion_channels" in resumed:  # a resumed run keeps the size it was training
        arch_kw.update(fusion_channels=resumed["fusion_channels"],
                       fusion_units=resumed["fusion_units"])
    if args.refine:
        try:
            channels, layers = (int(v) for v in args.refine.split(","))
        except ValueError:
            raise SystemExit(f"--refine: {args.refine!r} is not CHANNELS,LAYERS") from None
        if channels < 1 or layers < 0:
            raise SystemExit("--refine: CHANNELS must be at least 1 and LAYERS at least 0")
        arch_kw.update(refine_channels=channels, refine_layers=layers)
    parent = next((b["config"] for b in (resume_blob, init_blob) if b is not None), {})
    if args.stage in DECODER_STAGES and not (args.refine or "refine_channels" in parent):
        raise SystemExit(f"--stage {args.stage} needs a refinement stage: --refine "
                         "CHANNELS,LAYERS or a checkpoint that has one")
    if args.lambdas:
        arch_kw["lambdas"] = tuple(float(v) for v in args.lambdas.split(","))
    else:  # the rates the run was training, else the init checkpoint's
        for blob in (resume_blob, init_blob):
            if blob is not None and "lambdas" in blob.get("config", {}):
                arch_kw["lambdas"] = tuple(blob["config"]["lambdas"])
                break
    # the sizes of the model being trained (a widened one's included: textcodec.nets.widen)
    arch_kw.update({k: parent[k] for k in SIZE_KEYS if k in parent and k not in arch_kw})
    if args.arch is None:  # carry on with the architecture being trained
        args.arch = next((b["arch"] for b in (resume_blob, init_blob)
                          if b is not None and "arch" in b), "vr-hyperprior")
    model = nets.create(args.arch, **arch_kw).to(device)
    if args.decoder_input == "round":
        if not hasattr(model, "straight_through"):
            raise SystemExit(f"--decoder-input round: {args.arch} has no straight-through path")
        model.straight_through = True
    # fusion (stage 2): encoder, entropy model and decoder base stay frozen; analysis: the
    # encoder alone, so every file it writes decodes as before; refine and decoder: the
    # decoding side alone, so the files stay the --init model's
    for n, p in model.named_parameters():
        if args.stage in STAGE_PARAMS:
            p.requires_grad_(n.startswith(STAGE_PARAMS[args.stage]))
    main_params = [p for n, p in model.named_parameters()
                   if not n.endswith(".quantiles") and p.requires_grad]
    aux_params = [p for n, p in model.named_parameters() if n.endswith(".quantiles")]
    opt = torch.optim.Adam(main_params, lr=args.lr)
    aux_opt = torch.optim.Adam(aux_params, lr=1e-3)
    step = 0
    if resume_blob is not None:
        ck = resume_blob
        load_weights(model, ck["state"], new_fusion=fusion_stage)
        opt.load_state_dict(ck["opt"])
        aux_opt.load_state_dict(ck["aux_opt"])
        step = int(ck["step"])
    elif init_blob is not None:
        state = init_blob["state"]
        if args.fresh_fusion:
            state = {k: v for k, v in state.items() if not k.startswith("fusion.")}
        load_weights(model, state, new_fusion=fusion_stage,
                     lambdas=init_blob.get("config", {}).get("lambdas"), fresh=True)
    if args.fusion_from and resume_blob is None:
        if not fusion_stage:
            raise SystemExit("--fusion-from needs --stage fusion")
        src_blob = read_blob(args.fusion_from, with_base=False)   # the block's weights
        part = {k[len("fusion."):]: v.float() for k, v in src_blob["state"].items()
                if k.startswith("fusion.")}
        if not part:
            raise SystemExit(f"{args.fusion_from} has no fusion block")
        src_lambdas = src_blob.get("config", {}).get("lambdas")
        if src_lambdas is not None and tuple(src_lambdas) != tuple(model.lambdas):
            # a block for a model with more (or other) rates: its per-rate rows follow
            part.update(remap_block_rates(part, tuple(src_lambdas), model.lambdas))
        missing, unexpected = model.fusion.load_state_dict(part, strict=False)
        if unexpected or set(missing) - {"rate_bias", "rate_log_gain"}:
            raise SystemExit(f"{args.fusion_from}: fusion block does not fit ({missing[:2]}, "
                             f"{unexpected[:2]})")
    recognizer = None
    if losses & {"logit", "ocr"}:
        from textcodec.ocr.recognizer import TextRecognizer

        recognizer = TextRecognizer().to(device)
    net = model
    if world > 1:
        # the entropy bottleneck's quantiles train on their own (aux) loss, outside the
        # forward pass, so DDP leaves them alone; buffers are not broadcast either: rank 0's
        # update() at each save resizes the coding tables, the other ranks' stay as they were
        torch.nn.parallel.DistributedDataParallel._set_params_and_buffers_to_ignore_for_model(
            model, [n for n, _ in model.named_parameters() if n.endswith(".quantiles")])
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None,
            broadcast_buffers=False)
    if args.compile:
        net = torch.compile(net)
    try:
        mix = tuple(float(v) for v in args.mix.split(","))
        # the mix's checks (and the fits' for fitted guidance), before any worker starts
        MixedDataset(args.pack, mix, fitted=args.guidance == "fitted")
    except ValueError as e:
        raise SystemExit(f"--mix {args.mix}: {e}") from None
    corrupt_low, corrupt_high = parse_corruption(args.corrupt)
    try:
        train_rates = parse_rates(args.train_rates, model.num_rates)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    rate_pool = torch.tensor(train_rates or range(model.num_rates), device=device)
    data = torch.utils.data.DataLoader(
        MixedDataset(args.pack, mix, seed=args.seed * 7919 + rank + step, size=args.crop,
                     guidance=fusion_stage, corrupt=corrupt_low,
                     corrupt_high=corrupt_high if corrupt_high != corrupt_low else None,
                     num_rates=model.num_rates, rates=train_rates,
                     fitted=args.guidance == "fitted"),
        batch_size=args.batch, collate_fn=collate, num_workers=args.workers,
        pin_memory=device.type == "cuda", persistent_workers=args.workers > 0)
    lambdas_all = torch.tensor(model.lambdas, device=device)
    rate_mse = RateNormalisedMSE(model.num_rates)
    lambda_mid = lambdas_all.log().mean().exp()      # --kappa-by-rate's unit weight
    m_min, sigma_max = parse_logit_filter(args.logit_filter)
    text_options = {"kappa": args.kappa, "ocr_weight": args.ocr_weight,
                    "kappa_by_rate": args.kappa_by_rate,
                    "logit_filter": args.logit_filter,
                    "logit_distance": args.logit_distance,
                    "decoder_input": args.decoder_input,
                    "text_max_char_area": args.text_max_char_area,
                    "train_rates": list(train_rates) if train_rates else None}
    log = open(args.out / "log.jsonl", "a") if rank == 0 else None
    t0 = time.time()
    acc: dict[str, torch.Tensor | float] = {}
    n_acc = 0
    _set_mode(model, args.stage)
    for batch in data:
        images, boxes, texts = batch[:3]
        stop = step >= args.steps or bool(args.max_minutes
                                          and time.time() - t0 > args.max_minutes * 60)
        if world > 1:  # every rank must stop at the same step, or the others wait forever
            flag = torch.tensor([float(stop)], device=device)
            torch.distributed.all_reduce(flag, torch.distributed.ReduceOp.MAX)
            stop = bool(flag.item())
        if stop:
            break
        x = images.to(device, non_blocking=True)
        if len(batch) > 5:    # the data drew each sample's rate (rate-dependent OCR errors)
            q = batch[5].to(device)
        else:
            q = rate_pool[torch.randint(0, len(rate_pool), (x.shape[0],), device=device)]
        if fusion_stage:
            loss, terms, x_read = _fusion_step(model, x, q, batch[3].to(device),
                                               batch[4].to(device), lambdas_all, args.alpha)
        else:
            out = net(x, q)
            rd = rate_distortion(x, out.x_hat, out.likelihoods_y, out.likelihoods_z,
                                 lambdas_all[q])
            loss = rd["loss"]
            if args.stage in DECODER_STAGES:   # the rate is fixed: every rate weighs alike
                loss = (rate_mse(x, out.x_hat, q) if args.decoder_loss == "rate-mse"
                        else decoder_distortion(x, out.x_hat, args.decoder_eps))
            terms = {**{k: v.detach() for k, v in rd.items()}, "loss": loss.detach()}
            x_read = out.x_hat
        # the text losses read the decoder's output, or in the fusion stage the fused one
        pool = (small_glyph_boxes(boxes, texts, args.text_max_char_area)
                if recognizer is not None else [])
        if len(pool):
            pick = pool[torch.randperm(len(pool))[:MAX_TEXT_CROPS]]
            b = boxes[pick].to(device)
            if "logit" in losses:
                weights = None
                if args.kappa_by_rate:
                    lam = lambdas_all[q][b[:, 0].long()]
                    weights = lam / lambda_mid
                tl = text_logit_loss(recognizer, x, x_read.clamp(0, 1), b, m_min, sigma_max,
                                     weights, args.logit_distance)
                loss = loss + args.kappa * tl
                terms["logit"] = tl.detach()
            if "ocr" in losses:
                ol = ocr_ctc_loss(recognizer, x_read.clamp(0, 1), b,
                                  [texts[i] for i in pick.tolist()])
                loss = loss + args.ocr_weight * ol
                terms["ocr"] = ol.detach()
        if args.lr_end is not None:
            for group in opt.param_groups:
                group["lr"] = learning_rate(step + args.lr_offset, args.lr, args.lr_end,
                                              args.lr_decay_steps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(main_params, 1.0)
        opt.step()
        aux = model.aux_loss()
        if args.stage == "backbone":   # the other stages keep the entropy model as it was
            aux_opt.zero_grad(set_to_none=True)
            aux.backward()
            aux_opt.step()
        step += 1
        # the terms stay on the device until a log line needs them: reading one back
        # each step made the host wait for the GPU, which then waited for the host
        for k, v in terms.items():
            acc[k] = acc.get(k, 0.0) + v
        n_acc += 1
        if log and step % args.log_every == 0:
            rec = {"step": step, "time": round(time.time() - t0, 1),
                   **{k: round(float(v) / n_acc, 5) for k, v in acc.items()},
                   "aux": round(float(aux), 3),
                   "lr": float(f"{opt.param_groups[0]['lr']:.3g}")}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            acc, n_acc = {}, 0
        if step % args.save_every == 0:
            if rank == 0:
                _save_last(model, opt, aux_opt, step, last)
                save_release(model, args.out / f"{args.name}.pt", args.name,
                             extra={"steps": step, "losses": sorted(losses),
                                    **text_options})
                _set_mode(model, args.stage)
            if world > 1:  # update() rounded rank 0's h_s to fp16: every rank takes its weights
                for t in model.parameters():
                    torch.distributed.broadcast(t.data, 0)
    in_sync = _ranks_in_sync(model, device) if world > 1 else True
    if rank == 0:
        _save_last(model, opt, aux_opt, step, last)
        sha = save_release(model.cpu(), args.out / f"{args.name}.pt", args.name,
                           extra={"steps": step, "losses": sorted(losses), **text_options})
        result = {"name": args.name, "steps": step, "sha256": sha,
                  "minutes": round((time.time() - t0) / 60, 2), "world_size": world,
                  "ranks_in_sync": in_sync}
        (args.out / "result.json").write_text(json.dumps(result, indent=2))
        return result
    return {}


def _set_mode(model, stage: str) -> None:
    """Train mode (noisy latents, the rate's proxy), except in the stages whose encoder is
    frozen: there it quantises by rounding, as when decoding. Set at the start and again
    after every save (before session 34 a save put every stage back in train mode: the
    fusion and refine stages then saw noisy latents after their first 1,500-2,000 steps)."""
    model.train(stage != "fusion" and stage not in DECODER_STAGES)


def _ranks_in_sync(model, device) -> bool:
    """DDP self-check: every rank ends with the same weights (a float64 checksum of all but
    the quantiles, which train apart on each rank)."""
    v = torch.stack([t.detach().double().sum() for n, t in model.named_parameters()
                     if not n.endswith(".quantiles")]).sum().to(device)
    hi, lo = v.clone(), -v
    torch.distributed.all_reduce(hi, torch.distributed.ReduceOp.MAX)
    torch.distributed.all_reduce(lo, torch.distributed.ReduceOp.MAX)
    return bool(hi.item() == -lo.item())


def _fusion_step(model, x, q, guide, mask, lambdas_all, alpha: float):
    """TextBoost stage 2: fuse rendered guidance into the frozen decoder's output and train
    on MSE(x, x_f) + alpha * MSE(m*x, m*x_f). The rate is logged to show it cannot move.
    Returns the loss, the logged terms and x_f (which any text loss then reads)."""
    from textcodec.losses import guidance_consistent

    with torch.no_grad():
        out = model(x, q)
        rd = rate_distortion(x, out.x_hat, out.likelihoods_y, out.likelihoods_z, lambdas_all[q])
    x_f = model.fusion(out.x_hat, guide, mask, q)
    loss = guidance_consistent(x, x_f, mask, alpha)
    with torch.no_grad():
        mse_f = ((x_f - x) ** 2).flatten(1).mean(1)  # per sample, as rate_distortion's psnr
        m = mask.expand_as(x)
        box_gain = ((((out.x_hat - x) * m) ** 2).sum() - (((x_f - x) * m) ** 2).sum()) \
            / m.sum().clamp_min(1)
        psnr_f = (-10 * torch.log10(mse_f.clamp_min(1e-10))).mean()
    return loss, {"loss": loss.detach(), "bpp": rd["bpp"], "psnr_backbone": rd["psnr"],
                  "psnr_fused": psnr_f, "box_mse_gain": box_gain}, x_f


def _save_last(model, opt, aux_opt, step: int, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"state": model_state(model, half=False), "config": dict(model.config),
                "arch": model.ARCH,
                "opt": opt.state_dict(),
                "aux_opt": aux_opt.state_dict(), "step": step}, tmp)
    tmp.replace(path)


def main(argv=None) -> None:
    result = train(parse_args(argv))
    if torch.distributed.is_initialized():
        # rank 0 is still writing checkpoints when the others finish: a rank that tears its
        # connections down first makes the gloo/NCCL peers abort
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    if result:
        print(json.dumps(result))
