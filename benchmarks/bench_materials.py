"""Campaign materials: every topic × language as a myth card, and one poster per language.

Run: .venv/bin/python benchmarks/bench_materials.py [--country KG] [--keep DIR]
Prints the time, the cards made, their sizes and what could not be made; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from bot import materials
from bot.config import Config
from bot.content import load_content
from bot.i18n import I18n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--country", default="KG")
    parser.add_argument("--keep", type=Path, help="write the materials here instead of a temporary folder")
    args = parser.parse_args()
    config = Config()
    content = load_content(config.content_dir).content
    i18n = I18n(config.locales_dir, content.languages)
    fonts = materials.find_fonts()
    with tempfile.TemporaryDirectory() as folder:
        out = args.keep or Path(folder)
        started = time.perf_counter()
        built = materials.build(
            content,
            content.languages,
            content.topic_ids,
            "bench",
            args.country,
            "SafarBenchBot",
            out,
            i18n.gettext,
            fonts,
        )
        elapsed = time.perf_counter() - started
        cards = [path for path in built.files if path.suffix == ".png"]
        posters = [path for path in built.files if path.suffix == ".pdf"]
        pairs = sum(len(by_id) for by_id in content.topics.values())
        sizes = {Image.open(path).size for path in cards}
        kb = [path.stat().st_size / 1024 for path in cards]
        print(
            f"{pairs} topic × language pairs in {elapsed:.1f} s "
            f"({elapsed / pairs * 1000:.0f} ms each, posters included)"
        )
        print(
            f"cards: {len(cards)}, sizes {sorted(sizes)}, "
            f"{min(kb):.0f}–{max(kb):.0f} KB (mean {sum(kb) / len(kb):.0f} KB)"
        )
        for path in posters:
            print(f"poster {path.name}: {path.stat().st_size / 1024:.0f} KB")
        print(f"not made, with the reason ({len(built.reports)}):")
        for report in built.reports:
            print(f"  {report}")


if __name__ == "__main__":
    main()
