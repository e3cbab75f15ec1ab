"""docs/img/training-curves.png from the JSONL logs in docs/training-logs/, and
docs/img/training-single-rate.png from the single-rate runs' logs (sessions 14, 16 and 17, under
docs/bench/training-s14/, training-s16/ and training-s17/).

    python tools/plot_training.py
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# session 28's runs start where wide6 (base-v13) ended, in batch-16 steps
WIDE7_START = 333689 + 2 * (34967 + 44275 + 41712 + 39891 + 39040 + 41862)

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "docs" / "training-logs"
# (label, [(file, step offset)]): each part continues its run at the step where the last
# one stopped; v1 = 8 rates, v2 = 11 (3 lower rates added at step 9850 of the baseline and
# 12958 of the logit run, which is why their training bpp drops there)
V1_BASE = 9850
RUNS = [("baseline R+D", [("base-stage1.jsonl", 0), ("base-stage1b.jsonl", 6220),
                          ("base-v2a.jsonl", V1_BASE), ("base-v2b.jsonl", V1_BASE + 13471)]),
        ("logit loss from scratch", [("logit-scratch.jsonl", 0)]),
        ("OCR loss from scratch", [("ocr-scratch.jsonl", 0)]),
        ("logit fine-tune (k 0.01, then 0.03)",
         [("logit-finetune.jsonl", V1_BASE), ("logit-v2a.jsonl", V1_BASE + 3108),
          ("logit-v2b-kappa003.jsonl", V1_BASE + 3108 + 11544)]),
        ("OCR fine-tune v1", [("ocr-finetune.jsonl", V1_BASE)]),
        ("OCR fine-tune v2", [("ocr-v2.jsonl", V1_BASE + 13471)]),
        # sessions 4-5 continue session 3's base4 (48,119 steps; its logs were not kept)
        ("baseline R+D, sessions 4-5 (base-v3 = base6)",
         [("s4-base5.jsonl", 48119), ("s5-base6.jsonl", 59305), ("s5-base7.jsonl", 72005)]),
        ("logit fine-tune k 0.003, sessions 4-5",
         [("s4-logit5.jsonl", 48119), ("s5-logit6.jsonl", 58078), ("s5-logit7.jsonl", 68636)]),
        ("logit fine-tune k 0.006 (logitK6)", [("s5-logitK6.jsonl", 58078)]),
        # session 6: text fine-tunes of base6 (72,005 steps); the second call's runs returned
        # their step-6,000 checkpoints (the device time ran out), so their logs stop there
        ("logit, small glyphs + region filter (logitS6, logitS7)",
         [("s6-logitS6.jsonl", 72005), ("s6-logitS7.jsonl", 72005 + 9871)]),
        ("logit, small glyphs only (logitA6)", [("s6-logitA6.jsonl", 72005)]),
        ("logit, kappa by rate (logitW6)", [("s6-logitW6.jsonl", 72005)]),
        ("OCR loss on base6 (ocr6)", [("s6-ocr6.jsonl", 72005)]),
        # session 7: the OCR loss at 0.02 on small glyphs from text-v4 (81,876 steps), dotted
        ("OCR 0.02, small glyphs: ocrS8 -> S9 -> S10 (text-v5)",
         [("s7-ocrS8.jsonl", 81876), ("s7-ocrS9.jsonl", 81876 + 8472),
          ("s7-ocrS10.jsonl", 81876 + 8472 + 11289)]),
        ("OCR 0.04, small glyphs (ocrM8)", [("s7-ocrM8.jsonl", 81876)]),
        ("OCR 0.02, every word (ocrA8)", [("s7-ocrA8.jsonl", 81876)]),
        ("logit + OCR, small glyphs (lo8)", [("s7-lo8.jsonl", 81876)]),
        # session 8, dash-dot: the fair anchor (R+D on from base7) and the OCR loss carried on
        ("R+D only from base7: base8 (the fair anchor)", [("s8-base8.jsonl", 84116)]),
        ("OCR 0.02, small glyphs from text-v5: ocrS11 -> S12",
         [("s8-ocrS11.jsonl", 108246), ("s8-ocrS12.jsonl", 120234)]),
        # session 9, densely dotted: R+D on from base8 (base-v5) and the OCR loss from base8
        ("R+D only from base8: base9 -> base10 (base-v5)",
         [("s9-base9.jsonl", 96795), ("s9-base10.jsonl", 96795 + 13558)]),
        ("OCR 0.02 from base8 (ocrT2)", [("s9-ocrT2.jsonl", 96795)]),
        ("OCR 0.05 from base8 (ocrT5)", [("s9-ocrT5.jsonl", 96795)]),
        # session 10, loosely dashed: R+D on from base10 (base-v6 = base12)
        ("R+D only from base10: base11 -> base12 (base-v6)",
         [("s10-base11.jsonl", 116111), ("s10-base12.jsonl", 116111 + 12821)]),
        # session 11, solid and thick: the learning rate decayed, from base12 (142,431 steps)
        ("R+D, decayed LR: base13 -> base14 (base-v7)",
         [("s11-base13.jsonl", 142431), ("s11-base14.jsonl", 142431 + 14217)]),
        ("logit loss, decayed LR: logit13 -> logit14 (text-v8's codec)",
         [("s11-logit13.jsonl", 142431), ("s11-logit14.jsonl", 142431 + 12869)]),
        # session 12, thick: restarted at 5e-5, one cosine over two machines
        ("R+D, restarted LR: base15 -> base16 (base-v8, text-v9's codec)",
         [("s12-base15.jsonl", 166007), ("s12-base16.jsonl", 166007 + 11297)]),
        ("logit loss, restarted LR: logit15 -> logit16",
         [("s12-logit15.jsonl", 163999), ("s12-logit16.jsonl", 163999 + 10357)]),
        # session 13, thick: from base16 at 2e-5 (the runs that drew only some rates, or some
        # more often, average other rates and so are left off: docs/training.md)
        ("R+D from base16, every rate alike: baseU18", [("s13-baseU18.jsonl", 189846)]),
        # session 18, thick: from base16 at 2e-5 again, the synthesis on rounded latents
        # (its training PSNR is that of the rounded decode) beside the same on the noisy proxy
        ("R+D from base16, rounded latents: baseR21 (base-v9, text-v11's codec)",
         [("s18-baseR21.jsonl", 189846)]),
        ("R+D from base16, noisy proxy: baseN21 (the control)", [("s18-baseN21.jsonl", 189846)]),
        # session 19, thick: from base-v9 with a new cosine, rounded latents, and the logit loss
        ("R+D from base-v9, rounded, a new cosine: baseR22", [("s19-baseR22.jsonl", 201267)]),
        ("logit loss from base-v9, rounded: logitR22", [("s19-logitR22.jsonl", 201267)]),
        # session 22, thick: base-v9 with a checkerboard context model (zero-started)
        ("R+D, checkerboard context from base-v9: cbR22", [("s22-cbR22.jsonl", 201267)]),
        # session 23, thick: base-v10 (cbR23) trained on, three runs back to back
        ("R+D from base-v10: cbR24 -> cbR25 -> cbR26 (base-v11)",
         [("s23-cbR24.jsonl", 255862), ("s23-cbR25.jsonl", 255862 + 29531),
          ("s23-cbR26.jsonl", 255862 + 29531 + 36822)]),
        # session 24, thick: base-v11 on at batch 32, each step drawn as two of batch 16
        ("R+D from base-v11 at batch 32: cbR27 -> cbR28",
         [("s24-cbR27.jsonl", 333689, 2), ("s24-cbR28.jsonl", 333689 + 2 * 33729, 2)]),
        # session 25, thick: base-v11 widened (192 / 192 / 96 channels), batch 32
        ("R+D, base-v11 widened: wide1 -> wide7 (base-v12 = wide4, base-v13 = wide6)",
         [("s25-wide1.jsonl", 333689, 2), ("s25-wide2.jsonl", 333689 + 2 * 34967, 2),
          ("s26-wide3.jsonl", 333689 + 2 * (34967 + 44275), 2),
          ("s26-wide4.jsonl", 333689 + 2 * (34967 + 44275 + 41712), 2),
          ("s27-wide5.jsonl", 333689 + 2 * (34967 + 44275 + 41712 + 39891), 2),
          ("s27-wide6.jsonl", 333689 + 2 * (34967 + 44275 + 41712 + 39891 + 39040), 2),
          ("s28-wide7.jsonl", WIDE7_START, 2)]),
        # session 28, thick: wide7 with its synthesis's last hidden layer narrowed (96 ->
        # 64 or 48 channels, textcodec/nets/narrow.py), the two trained side by side
        ("R+D, wide7 narrowed to 64 last channels: n64 (base-v14)",
         [("s28-n64.jsonl", WIDE7_START + 2 * 38946, 2)]),
        # session 29, thick: n48 trained on alone, two machines (m48b: the release's codec)
        ("R+D, wide7 narrowed to 48 last channels: n48 -> m48a -> m48b (base-v15)",
         [("s28-n48.jsonl", WIDE7_START + 2 * 38946, 2),
          ("s29-m48a.jsonl", WIDE7_START + 2 * (38946 + 24484), 2),
          ("s29-m48b.jsonl", WIDE7_START + 2 * (38946 + 24484 + 48361), 2)]),
        # session 29: base-v15's analysis narrowed to 128 channels, trained alone (g_a only)
        ("R+D, base-v15's analysis narrowed to 128, trained alone: e128",
         [("s29-e128.jsonl", WIDE7_START + 2 * (38946 + 24484 + 48361 + 24458), 2)]),
        # session 30, thick: e128's synthesis narrowed to N_dec 160, trained whole (R+D)
        ("R+D, e128 narrowed to N_dec 160: d160 -> d160b (base-v16, the default's codec)",
         [("s30-d160.jsonl", WIDE7_START + 2 * (38946 + 24484 + 48361 + 24458 + 8820), 2),
          ("s30-d160b.jsonl",
           WIDE7_START + 2 * (38946 + 24484 + 48361 + 24458 + 8820 + 46331), 2)]),
        # session 31: base-v16 on a mix with real screens (GIMP UI shots, browser-rendered
        # pages): its loss is over other images, so its level is not the runs' above
        ("R+D from base-v16 on a mix with real screens (ui, web): ui1",
         [("s31-ui1.jsonl",
           WIDE7_START + 2 * (38946 + 24484 + 48361 + 24458 + 8820 + 46331 + 28090), 2)])]
# text-v11's block: every stage-2 step from the first block through fusR21
V11_BLOCK_STEPS = 9958 + 13168 + 4525 + 10161 + 10744 + 11392 + 9670 + 10625 + 8989 + 9466 + 6324
V12_BLOCK_STEPS = V11_BLOCK_STEPS + 4586 + 2798   # + cbF22, cbF23
V15_BLOCK_STEPS = V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715 + 2830 + 3078 + 2979 + 3002 + 2902
# TextBoost stage 2 (only the fusion block trains): gain in box MSE over the frozen decoder
# fui2 starts where fui1 (3,206 steps) ended
V21_BLOCK_START = V15_BLOCK_STEPS + 1400 + 3203 + 2178 + 3387 + 3335 + 3206
FUSION = [("fusion on text-v1", [("fusion-on-text-v1.jsonl", 0)]),
          ("fusion on text-v2 (warm start)", [("fusion-v2.jsonl", 10782)]),
          ("fusion on logit v2 (warm start)", [("fusion-on-logit-v2b.jsonl", 10782)]),
          ("rate-dependent OCR errors: fusR5, then fusR6 (text-v3's block)",
           [("s5-fusR5.jsonl", 0), ("s5-fusR6.jsonl", 9958)]),
          ("text-v3's block fine-tuned on base6 (fusB6)", [("s6-fusB6.jsonl", 9958 + 13168)]),
          ("text-v3's block fine-tuned on text-v4 (fusV4)", [("s7-fusV4.jsonl", 9958 + 13168)]),
          ("more substituted characters on text-v5: fusS5 -> fusS6",
           [("s8-fusS5.jsonl", 9958 + 13168), ("s8-fusS6.jsonl", 9958 + 13168 + 10116)]),
          ("half the words' characters substituted: fusX6",
           [("s8-fusX6.jsonl", 9958 + 13168 + 10116)]),
          ("text-v5's block on base9: fus9 (text-v6's block)",
           [("s9-fus9.jsonl", 9958 + 13168)]),
          ("text-v6's block, 40 % substituted at low rates: fus10a -> fus11a",
           [("s10-fus10a.jsonl", 9958 + 13168 + 4525),
            ("s10-fus11a.jsonl", 9958 + 13168 + 4525 + 10211)]),
          ("the same, 60 %: fus10b -> fus11b (text-v7's block)",
           [("s10-fus10b.jsonl", 9958 + 13168 + 4525),
            ("s10-fus11b.jsonl", 9958 + 13168 + 4525 + 10161)]),
          ("text-v7's block, up to 80 % substituted at high rates: fus12",
           [("s11-fus12.jsonl", 9958 + 13168 + 4525 + 10161 + 10744)]),
          ("fus12 on with no digits drawn: fus13 -> fus14 (text-v9's block)",
           [("s12-fus13.jsonl", 9958 + 13168 + 4525 + 10161 + 10744 + 11392),
            ("s12-fus14.jsonl", 9958 + 13168 + 4525 + 10161 + 10744 + 11392 + 9670)]),
          ("fus14 on base16, look-alike misreadings, q1-4: fus15 -> fus16 (text-v10)",
           [("s13-fus15.jsonl", 9958 + 13168 + 4525 + 10161 + 10744 + 11392 + 9670 + 10625),
            ("s13-fus16.jsonl",
             9958 + 13168 + 4525 + 10161 + 10744 + 11392 + 9670 + 10625 + 8989)]),
          ("text-v10's block on baseR21, rounded latents, q1-4: fusR21 (text-v11)",
           [("s18-fusR21.jsonl",
             9958 + 13168 + 4525 + 10161 + 10744 + 11392 + 9670 + 10625 + 8989 + 9466)]),
          # (fusT2, alpha 30 instead of 10, ends within 2.5e-4 of fusT1 in every weight: with
          # the block gated by the box mask both loss terms share one direction, which Adam
          # does not scale; its log is fusT1's to five digits)
          ("text-v11's block, 30 % dropped and 5 % substituted (the cross-check's guidance): "
           "fusT1",
           [("s19-fusT1.jsonl", V11_BLOCK_STEPS)]),
          ("the same errors, plus the CTC loss on the fused output (weight 0.002): fusO1",
           [("s19-fusO1.jsonl", V11_BLOCK_STEPS)]),
          ("the same, CTC weight 0.02: fusO2",
           [("s19-fusO2.jsonl", V11_BLOCK_STEPS)]),
          ("a 32-channel, 8-unit block from zero, fusT1's errors: fusW1",
           [("s20-fusW1.jsonl", 0)]),
          ("the paper's 16 / 3 block from zero, the same recipe: fusW0",
           [("s20-fusW0.jsonl", 0)]),
          ("text-v11's block on cbR22 (the checkerboard codec), fusR21's recipe: cbF22",
           [("s22-cbF22.jsonl", V11_BLOCK_STEPS)]),
          ("text-v12's block on cbR24, cbR25, cbR26: cbF24 -> cbF25 -> cbF26 (text-v13)",
           [("s23-cbF24.jsonl", V12_BLOCK_STEPS), ("s23-cbF25.jsonl", V12_BLOCK_STEPS + 2913),
            ("s23-cbF26.jsonl", V12_BLOCK_STEPS + 2913 + 3105)]),
          ("text-v13's block on cbR28: cbF28",
           [("s24-cbF28.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500)]),
          ("text-v13's block on wide1 -> wide7: cbFW1 -> cbFW7 (text-v14, text-v15 = cbFW6)",
           [("s25-cbFW1.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500),
            ("s25-cbFW2.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715),
            ("s26-cbFW3.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715 + 2830),
            ("s26-cbFW4.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715 + 2830 + 3078),
            ("s27-cbFW5.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715 + 2830 + 3078
             + 2979),
            ("s27-cbFW6.jsonl", V12_BLOCK_STEPS + 2913 + 3105 + 1500 + 2715 + 2830 + 3078
             + 2979 + 3002),
            ("s28-cbFW7.jsonl", V15_BLOCK_STEPS)]),
          ("text-v15's block on n64 (the narrowed codec): fn64 (text-v16)",
           [("s28-fn64.jsonl", V15_BLOCK_STEPS)]),
          ("text-v16's block on m48a, then m48b: fm48a -> fm48b (text-v17)",
           [("s29-fm48a.jsonl", V15_BLOCK_STEPS + 1400),
            ("s29-fm48b.jsonl", V15_BLOCK_STEPS + 1400 + 3203)]),
          ("text-v17's block on d160, then d160b: fd160 -> fd160b (text-v18, the default)",
           [("s30-fd160.jsonl", V15_BLOCK_STEPS + 1400 + 3203 + 2178),
            ("s30-fd160b.jsonl", V15_BLOCK_STEPS + 1400 + 3203 + 2178 + 3387)]),
          ("text-v18's block on ui1, the same screens mix: fui1",
           [("s31-fui1.jsonl", V15_BLOCK_STEPS + 1400 + 3203 + 2178 + 3387 + 3335)]),
          ("fui1 on ui2 (text-v20), then on dcm2: fui2 -> fdcm2 (text-v21)",
           [("s32-fui2.jsonl", V21_BLOCK_START), ("s39-fdcm2.jsonl", V21_BLOCK_START + 2487)]),
          ("text-v21's block on fitted guidance (the GLYPHS fits drawn): ffit",
           [("s42-ffit.jsonl", V21_BLOCK_START + 2487 + 2184)])]


def _style(parts):
    """Session 6's runs dashed, 7's dotted, 8's dash-dot, 9's dash-dot-dot, 10's loosely
    dashed, the rest (and 11's and 12's, drawn thick) solid."""
    return {"s6-": "--", "s7-": ":", "s8-": "-.", "s9-": (0, (3, 1, 1, 1, 1, 1)),
            "s10": (0, (6, 3))}.get(parts[0][0][:3], "-")


def _width(parts):
    """Sessions 11 to 13's, 18's, 19's and 22-25's runs (the decayed learning rate) drawn
    thicker."""
    return 2.2 if parts[0][0][:3] in ("s11", "s12", "s13", "s18", "s19", "s22", "s23",
                                      "s24", "s25") else 1


def _rows(parts):
    rows = []
    for name, offset, *scale in parts:   # scale: a step's samples over batch 16's
        for line in (LOGS / name).read_text().splitlines():
            r = json.loads(line)
            rows.append((r["step"] * (scale[0] if scale else 1) + offset, r))
    return rows


def main() -> None:
    # the legends go under the plots, one above the other, where they hide no curve and no
    # label: the figure grows with them (a legend row at font size 7 is ~0.135 in, a title
    # and frame ~0.45 in; the plots keep 4.4 in)
    codec_h = 0.135 * -(-len(RUNS) // 4) + 0.45
    fusion_h = 0.135 * -(-len(FUSION) // 3) + 0.45
    height = 4.4 + codec_h + fusion_h + 0.1
    fig, axes = plt.subplots(1, 4, figsize=(18, height), dpi=100)
    for label, parts in RUNS:
        rows = _rows(parts)
        steps = [s for s, _ in rows]
        style = _style(parts)
        for ax, key in zip(axes, ("psnr", "bpp", "loss")):
            ax.plot(steps, [r[key] for _, r in rows], linestyle=style, label=label,
                    lw=_width(parts))
    for label, parts in FUSION:
        rows = _rows(parts)
        axes[3].plot([s for s, _ in rows], [r["box_mse_gain"] * 1e3 for _, r in rows],
                     linestyle=_style(parts), label=label, lw=_width(parts))
    for ax, title in zip(axes, ("training PSNR (dB), all rates mixed", "training bpp",
                                "total loss", "fusion: box MSE gain (x1e-3)")):
        ax.set_title(title)
        ax.set_xlabel("step (batch 16, 256x256)")
        ax.grid(alpha=0.3)
    axes[2].set_yscale("log")
    axes[3].xaxis.set_major_locator(plt.MaxNLocator(5))   # six-digit steps ran together
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=7,
               bbox_to_anchor=(0.5, fusion_h / height), title="codec training (first three panels)")
    fig.legend(*axes[3].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=7,
               bbox_to_anchor=(0.5, 0.0), title="fusion block (last panel)")
    fig.tight_layout(rect=(0, (codec_h + fusion_h + 0.1) / height, 1, 1))
    out = ROOT / "docs" / "img" / "training-curves.png"
    fig.savefig(out)
    print(out)
    single_rate()


# single-rate runs on rate 4 (lambda 0.0032): session 14 from random weights, session 16 four
# fine-tunes of sbase19 from its last step (13,862), session 17 four of c20 from its last
# (23,524); (label, log, step offset, text term key)
SINGLE = [("sbase19: R+D", "training-s14/log-sbase19.jsonl", 0, None),
          ("slogit19: R+D + logit MSE", "training-s14/log-slogit19.jsonl", 0, "logit"),
          ("c20: R+D", "training-s16/log-c20.jsonl", 13862, None),
          ("m20: + logit MSE", "training-s16/log-m20.jsonl", 13862, "logit"),
          ("k20: + logit KL", "training-s16/log-k20.jsonl", 13862, "logit"),
          ("o20: + CTC", "training-s16/log-o20.jsonl", 13862, "ocr"),
          # session 17: four fine-tunes of c20 (23,524 steps) that decode rounded latents in
          # training (--decoder-input round, straight-through), dotted
          ("cn: R+D, noisy proxy (control)", "training-s17/log-cn.jsonl", 23524, None),
          ("cr: R+D, rounded", "training-s17/log-cr.jsonl", 23524, None),
          ("mr: + logit MSE, rounded", "training-s17/log-mr.jsonl", 23524, "logit"),
          ("kr: + logit KL, rounded", "training-s17/log-kr.jsonl", 23524, "logit"),
          ("or: + CTC, rounded", "training-s17/log-or.jsonl", 23524, "ocr")]


def single_rate() -> None:
    bench = ROOT / "docs" / "bench"
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), dpi=100)
    colours = itertools.cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])
    for (label, name, offset, term), colour in zip(SINGLE, colours):
        path = bench / name
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        steps = [r["step"] + offset for r in rows]
        # R+D solid, text losses dashed; the runs on rounded latents dotted / dash-dotted
        rounded = label.endswith("rounded")
        style = (":" if rounded else "-") if term is None else ("-." if rounded else "--")
        axes[0].plot(steps, [r["psnr"] for r in rows], style, c=colour, label=label, lw=1)
        axes[1].plot(steps, [r["bpp"] for r in rows], style, c=colour, label=label, lw=1)
        if term is not None:   # each text term relative to its own first logged value
            axes[2].plot(steps, [r[term] / rows[0][term] for r in rows], style, c=colour,
                         label=label, lw=1)
    for ax, title in zip(axes, ("training PSNR (dB), rate 4", "training bpp, rate 4",
                                "text term / its first logged value")):
        ax.set_title(title)
        ax.set_xlabel("step (batch 16, 256x256)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "training-single-rate.png"
    fig.savefig(out)
    print(out)


if __name__ == "__main__":
    main()
