"""CLI: `python -m helpers.build.domain build [--seed N] [--out DIR] [--more-wordings] [--[no-]crossed-frames] [--scope-variants N] [--drop-frame-twins] [--more-requests]` writes the domain set and card."""

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
    build.add_argument("--more-wordings", action="store_true",
                       help="add the training-only paraphrases (about twice the wordings per fact; "
                            "same validation and test questions)")
    build.add_argument("--crossed-frames", action=argparse.BooleanOptionalAction,
                       default=DomainConfig.crossed_frames,
                       help="add plan questions crossing every frame with every attribute word "
                            "(questions.CROSSED_FRAMES; same validation and test questions; "
                            "on by default, --no-crossed-frames builds the set without them)")
    build.add_argument("--scope-variants", type=int, default=DomainConfig.scope_variants,
                       metavar="N", help="decorated copies of each refusal/escalation training "
                                         "request (default 2; 0 = none)")
    build.add_argument("--drop-frame-twins", action=argparse.BooleanOptionalAction,
                       default=DomainConfig.drop_frame_twins,
                       help="leave out training plan questions whose frame is a held-out plan "
                            "question's frame with another attribute (helpers.build.domain."
                            "frames; same validation and test questions)")
    build.add_argument("--more-requests", action=argparse.BooleanOptionalAction,
                       default=DomainConfig.more_requests,
                       help="add the training-only refusal and escalation paraphrases "
                            "(questions.MORE_TRAIN_REQUESTS) without the fact ones; same "
                            "validation and test questions")
    args = parser.parse_args(argv)
    paths = write_dataset(args.out, DomainConfig(seed=args.seed, more_wordings=args.more_wordings,
                                                 crossed_frames=args.crossed_frames,
                                                 scope_variants=args.scope_variants,
                                                 drop_frame_twins=args.drop_frame_twins,
                                                 more_requests=args.more_requests))
    for path in paths.values():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(f"dataset sha256: {dataset_hash(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
