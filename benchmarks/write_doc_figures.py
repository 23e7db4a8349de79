"""Rewrite the measured sections of the docs (docs/**/*.md) from the benchmarks' own output.

    .venv/bin/python benchmarks/bench_peers.py                       # writes target/bench_peers.json
    benchmarks/run_scala.sh                                          # optional: writes target/run_scala.md
    .venv/bin/python benchmarks/bench_python.py                      # optional: writes target/bench_python.txt
    .venv/bin/python benchmarks/write_doc_figures.py

Each measured section sits between ``<!-- generated: NAME -->`` and
``<!-- end generated -->``, in any page; only those are rewritten, from the
benchmark output of that name (a section whose output is absent is left as it
is): ``target/NAME.json`` through its maker below, else ``target/NAME.md`` (a
page part the benchmark wrote, stamp included) as it is, else
``target/NAME.txt`` as printed. Each table carries the stamp of the run it comes from (machine, CPU,
date, commit). The prose around them is the page's own. The figures are never
typed by hand.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TARGET = ROOT / "target"
SECTION = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n).*?(<!-- end generated -->)", re.S)


def stamp_line(stamp: dict) -> str:
    return (f"*Measured {stamp['date']} on {stamp['machine']} ({stamp['cpu']}), commit `{stamp['commit']}`, "
            f"Python {stamp['python']}, numpy {stamp['numpy']}"
            + (f" (its noise kernel: {stamp['numpy kernel']})" if "numpy kernel" in stamp else "")
            + f", load average {stamp['load']}.*")


def publish(text: str, out: Path) -> None:
    """Prints a benchmark's page part and writes it to ``out`` (a target/NAME.md or .txt this script reads)."""
    print(text, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


PEERS_PICTURE = "performance_peers.png"  # beside performance.md, drawn with its section


def draw_peers(report: dict, layers: list, out: Path) -> None:
    """One bar per candidate and layer, M elements/s at the largest size (log scale), copy ceiling left out."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures, big = report["figures"], str(report["sizes"][-1])
    names = [n for n in figures if n != "np.copyto"]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(layers) * len(names) ** 0.5 + 2.4))
    height = 0.8 / len(names)
    for k, name in enumerate(names):
        rows = [(i, int(big) / figures[name][layer][big] / 1e6) for i, layer in enumerate(layers)
                if layer in figures[name]]
        ax.barh([i + k * height for i, _ in rows], [rate for _, rate in rows], height=height, label=name,
                color="black" if name == "bigdl_reg numpy" else None)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(layers))], layers)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(f"M elements/s at {int(big):,} float32 elements (log scale; longer is faster)")
    stamp = report["stamp"]
    ax.set_title(f"Training forward, one run: {stamp['date']}, {stamp['machine']}, commit {stamp['commit']}",
                 fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def peers_section(report: dict) -> str:
    figures, sizes = report["figures"], [str(s) for s in report["sizes"]]
    big, small = sizes[-1], sizes[0]
    torch = next((n for n in figures if n.startswith("torch")), None)
    layers = list(dict.fromkeys(layer for by_layer in figures.values() for layer in by_layer))
    draw_peers(report, layers, DOCS / PEERS_PICTURE)
    lines = [stamp_line(report["stamp"]), "",
             f"![Every layer against its peers at {int(big):,} elements, M elements/s]({PEERS_PICTURE})", "",
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
    jvm, engine = (next((n for n in figures if n.startswith(p)), None) for p in ("bigdl_reg jvm", "bigdl_reg engine"))
    if jvm and engine:
        ratios = ", ".join(f"{layer} {figures[engine][layer][big] / figures[jvm][layer][big]:.2f}"
                           for layer in layers if layer in figures[jvm] and layer in figures[engine])
        lines += ["", f"The jvm backend end to end over the engine in its JVM, at {int(big):,} elements "
                      f"(time of the engine over ours; 1 would be no cost for crossing to Python): {ratios}."]
    if report["missing"]:
        lines += ["", "Missing (not installed in that run): " + ", ".join(report["missing"]) + "."]
    return "\n".join(lines) + "\n"


def text_section(path: Path) -> str:
    """A benchmark's printed output as it stands (it prints its own machine line)."""
    import datetime

    when = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"*Output of {when}, as printed:*\n\n```text\n{path.read_text().rstrip()}\n```\n"


# Sections whose output is JSON, rendered by a maker; any other NAME is target/NAME.md or target/NAME.txt.
JSON_MAKERS = {"bench_peers": peers_section}


def section_text(name: str, target: Path) -> str | None:
    if name in JSON_MAKERS:
        path, make = target / f"{name}.json", lambda p: JSON_MAKERS[name](json.loads(p.read_text()))
    elif (target / f"{name}.md").exists():
        path, make = target / f"{name}.md", lambda p: p.read_text().rstrip() + "\n"
    else:
        path, make = target / f"{name}.txt", text_section
    if not path.exists():
        return None
    print(f"{name}: from {path}")
    return make(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=TARGET, help="where the benchmarks' outputs are")
    args = parser.parse_args()

    def rewrite(match: re.Match) -> str:
        text = section_text(match["name"], args.target)
        return match[0] if text is None else match[1] + "\n" + text + "\n" + match[3]

    for page in sorted(DOCS.rglob("*.md")):
        if "_generated" in page.parts or "_build" in page.parts:
            continue
        old = page.read_text()
        new = SECTION.sub(rewrite, old)
        if new != old:
            page.write_text(new)


if __name__ == "__main__":
    main()
