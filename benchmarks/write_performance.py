"""Rewrite the measured sections of docs/performance.md from the benchmarks' own output.

    .venv/bin/python benchmarks/bench_peers.py                       # writes target/bench_peers.json
    benchmarks/run_scala.sh | tee target/run_scala.txt               # optional
    .venv/bin/python benchmarks/bench_python.py | tee target/bench_python.txt   # optional
    .venv/bin/python benchmarks/write_performance.py

Each measured section sits between ``<!-- generated: NAME -->`` and
``<!-- end generated -->``; only those are rewritten, from the file of that
name (a section whose file is absent is left as it is), and each table carries
the stamp of the run it comes from (machine, CPU, date, commit). The prose
around them is the document's own. The figures are never typed by hand.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
SECTION = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n).*?(<!-- end generated -->)", re.S)


def stamp_line(stamp: dict) -> str:
    return (f"*Measured {stamp['date']} on {stamp['machine']} ({stamp['cpu']}), commit `{stamp['commit']}`, "
            f"Python {stamp['python']}, numpy {stamp['numpy']}, load average {stamp['load']}.*")


def peers_section(report: dict) -> str:
    figures, sizes = report["figures"], [str(s) for s in report["sizes"]]
    big, small = sizes[-1], sizes[0]
    torch = next((n for n in figures if n.startswith("torch")), None)
    layers = list(dict.fromkeys(layer for by_layer in figures.values() for layer in by_layer))
    lines = [stamp_line(report["stamp"]), "",
             f"Training forward, float32, p = rate = stddev = 0.5, median of {report['repeats']} calls "
             f"(20 times more at sizes below 10^6) after a warm-up. M elements/s at each size, the fixed cost "
             f"as µs per call at {int(small):,} elements, and the time of torch over ours at {int(big):,} "
             "(above 1: faster than torch)."]
    for layer in layers:
        header = "| | " + " | ".join(f"{int(s):,}" for s in sizes) + f" | µs at {int(small):,} | × torch |"
        lines += ["", f"**{layer}**", "", header, "|---|" + "---:|" * (len(sizes) + 2)]
        for name, by_layer in figures.items():
            if layer not in by_layer:
                continue
            secs = by_layer[layer]
            ratio = (f"{figures[torch][layer][big] / secs[big]:.2f}"
                     if torch and layer in figures[torch] and name != torch else "")
            rates = " | ".join(f"{int(s) / secs[s] / 1e6:.1f}" for s in sizes)
            lines.append(f"| {name} | {rates} | {secs[small] * 1e6:.1f} | {ratio} |")
    if report["missing"]:
        lines += ["", "Missing (not installed in that run): " + ", ".join(report["missing"]) + "."]
    return "\n".join(lines) + "\n"


def text_section(path: Path) -> str:
    """A benchmark's printed output as it stands (it prints its own machine line)."""
    import datetime

    when = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"*Output of {when}, as printed:*\n\n```text\n{path.read_text().rstrip()}\n```\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = ROOT / "target"
    parser.add_argument("--peers", type=Path, default=target / "bench_peers.json")
    parser.add_argument("--scala", type=Path, default=target / "run_scala.txt")
    parser.add_argument("--python", type=Path, default=target / "bench_python.txt")
    args = parser.parse_args()
    makers = {"bench_peers": (args.peers, lambda p: peers_section(json.loads(p.read_text()))),
              "run_scala": (args.scala, text_section), "bench_python": (args.python, text_section)}

    def rewrite(match: re.Match) -> str:
        path, make = makers[match["name"]]
        if not path.exists():
            return match[0]
        print(f"{match['name']}: from {path}")
        return match[1] + "\n" + make(path) + "\n" + match[3]

    DOC.write_text(SECTION.sub(rewrite, DOC.read_text()))


if __name__ == "__main__":
    main()
