"""QR decoding on a deterministic corpus of synthetic desktop captures.

Per variation: success rate, false results, median and p95 time, for otpburn's engine
and, in the same run, one raw zxing-cpp QR pass (the baseline of the ratios), pyzbar and
OpenCV when installed (`pip install '.[bench]'`; pyzbar also needs Debian's libzbar0).

Usage: python benchmarks/qr_scan.py [--per-variation N] [--seed S]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.qr_corpus import LAYOUTS, VARIATIONS, corpus  # noqa: E402

from otpburn.sources.qr import decode  # noqa: E402


def otpburn_engine(image, expected):
    return [c.text for c in decode(image, expect=max(1, len(expected)))]


def raw_zxing(image, expected):
    import zxingcpp

    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False,
                                                   try_downscale=False, try_invert=True)]


def make_pyzbar():
    try:
        from pyzbar import pyzbar
    except Exception:
        return None

    def run(image, expected):
        return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]

    return run


def make_opencv():
    try:
        import cv2
    except Exception:
        return None
    detector = cv2.QRCodeDetector()

    def run(image, expected):
        ok, texts, _, _ = detector.detectAndDecodeMulti(image)
        return [t for t in texts if t] if ok else []

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-variation", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    decoders = {"otpburn": otpburn_engine, "zxing raw": raw_zxing}
    for name, factory in (("pyzbar", make_pyzbar), ("opencv", make_opencv)):
        runner = factory()
        if runner:
            decoders[name] = runner
        else:
            print(f"({name} is not installed: skipped)")

    stats = defaultdict(lambda: defaultdict(lambda: {"ok": 0, "n": 0, "false": 0, "times": []}))
    no_code_4k = defaultdict(list)
    samples = 0
    started = time.perf_counter()
    for sample in corpus(args.seed, args.per_variation, list(LAYOUTS)):
        samples += 1
        for name, run in decoders.items():
            t0 = time.perf_counter()
            texts = run(sample.image, sample.expected)
            elapsed = (time.perf_counter() - t0) * 1000
            entry = stats[sample.variation][name]
            entry["n"] += 1
            entry["times"].append(elapsed)
            entry["false"] += sum(1 for t in set(texts) if t not in sample.expected)
            if sorted(set(texts)) == sorted(sample.expected):
                entry["ok"] += 1
            if sample.variation == "no-code" and sample.image.shape[1] >= 3840:
                no_code_4k[name].append(elapsed)

    names = list(decoders)
    print(f"{samples} captures ({args.per_variation} per variation, layouts {', '.join(LAYOUTS)}), "
          f"seed {args.seed}, {time.perf_counter() - started:.0f} s")
    header = f"{'variation':<16}" + "".join(f"{n + ' ok%':>14}{'med ms':>8}{'p95':>7}{'false':>6}" for n in names)
    print(header)
    totals = {n: {"ok": 0, "n": 0, "false": 0, "times": []} for n in names}
    for variation in VARIATIONS:
        line = f"{variation:<16}"
        for name in names:
            entry = stats[variation][name]
            for key in ("ok", "n", "false"):
                totals[name][key] += entry[key]
            totals[name]["times"] += entry["times"]
            line += f"{100 * entry['ok'] / entry['n']:>14.1f}{statistics.median(entry['times']):>8.1f}" \
                    f"{_p95(entry['times']):>7.1f}{entry['false']:>6}"
        print(line)
    print()
    base = statistics.median(totals["zxing raw"]["times"])
    positives = {n: (sum(stats[v][n]["ok"] for v in VARIATIONS if v != "no-code"),
                     sum(stats[v][n]["n"] for v in VARIATIONS if v != "no-code")) for n in names}
    print(f"{'decoder':<12}{'codes read':>12}{'false':>7}{'median ms':>11}{'ratio':>8}{'p95 ms':>8}"
          f"{'4K no-code ms':>15}")
    for name in names:
        ok, n = positives[name]
        median = statistics.median(totals[name]["times"])
        no_code = statistics.median(no_code_4k[name]) if no_code_4k[name] else float("nan")
        print(f"{name:<12}{100 * ok / n:>11.1f}%{totals[name]['false']:>7}{median:>11.1f}{median / base:>7.2f}x"
              f"{_p95(totals[name]['times']):>8.1f}{no_code:>15.1f}")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
