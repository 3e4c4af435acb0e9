"""CLI: `python -m helpers.build.domain build [--seed N] [--out DIR]` writes the domain set and card."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from helpers.build.domain.build import dataset_hash, write_dataset
from helpers.build.domain.qa import DomainConfig
from helpers.paths import DOMAIN_DIR


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, build, and print what was written."""
    parser = argparse.ArgumentParser(prog="python -m helpers.build.domain", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write kb.json, train/validation/test.jsonl, README.md")
    build.add_argument("--seed", type=int, default=DomainConfig.seed,
                       help="picks held-out templates and record order (the card records it)")
    build.add_argument("--out", default=str(DOMAIN_DIR), help="output folder (default data/domain)")
    args = parser.parse_args(argv)
    paths = write_dataset(args.out, DomainConfig(seed=args.seed))
    for path in paths.values():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(f"dataset sha256: {dataset_hash(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
