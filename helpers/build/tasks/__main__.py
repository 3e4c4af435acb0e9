"""Command line: `python -m helpers.build.tasks build [--seed N] [--out DIR]` and `... families`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    from helpers.build.tasks.build import BuildConfig, write_dataset
    from helpers.tasks.families import FAMILIES, HELD_OUT_FAMILIES

    parser = argparse.ArgumentParser(prog="python -m helpers.build.tasks",
                                     description="Build or list the instruction-task suite.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write data/instructions (JSONL, Alpaca, README card)")
    build.add_argument("--seed", type=int, default=BuildConfig.seed, help="default: %(default)s")
    build.add_argument("--out", default=None, help="output folder (default: data/instructions)")
    sub.add_parser("families", help="list the task families")
    args = parser.parse_args(argv)
    if args.command == "families":
        for f in FAMILIES:
            tag = "held out" if f.name in HELD_OUT_FAMILIES else "train"
            print(f"{f.name:20s} {tag:9s} {f.skill:10s} {f.description}")
        return 0
    written = write_dataset(args.out, BuildConfig(seed=args.seed))
    for name, path in written.items():
        print(f"{name:30s} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
