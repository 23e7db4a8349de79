"""Write each layer's parameter table, from its entry on the Python side
(``bigdl_reg._layers``), as ``<out>/params/<LayerName>.md``: a Markdown table
the layer pages include, so the docs cannot drift from the checks.

    python docs/layer_tables.py --out docs/_generated
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bigdl_reg._layers import REQUIRED, LayerSpec, layers


def _default(value) -> str:
    if value is REQUIRED:
        return "required"
    return f'`"{value}"`' if isinstance(value, str) else f"`{value!r}`"


def table(spec: LayerSpec) -> str:
    rows = ["| parameter | Python keyword | Scala name | default | allowed values |",
            "|---|---|---|---|---|"]
    rows += [f"| {p.meaning} | `{p.keyword}` | `{p.scala}` | {_default(p.default)} | {p.allowed} |"
             for p in spec.params]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "_generated")
    out = parser.parse_args().out / "params"
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in layers().items():
        (out / f"{name}.md").write_text(table(spec), encoding="utf-8")


if __name__ == "__main__":
    main()
