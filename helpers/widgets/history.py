"""The history of comparisons, the learner's votes, and what the votes add up to.

Votes become a *preference dataset*: for a comparison where the learner picked a winner, one
row per (winner, loser) pair, in the conversational prompt/chosen/rejected form that
preference trainers (TRL's DPOTrainer) read. Ties carry no preference, so they are written
to a separate file rather than dropped: how often nobody wins is itself worth knowing.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from helpers.io import write_json, write_jsonl
from helpers.widgets.compare import ComparisonTable
from helpers.widgets.variants import TIE


class VoteError(ValueError):
    """A vote for a comparison or variant that does not exist."""


class History:
    """Comparisons in the order they were made, each with the learner's vote (if any)."""

    def __init__(self) -> None:
        self.comparisons: list[ComparisonTable] = []  # oldest first; index = comparison id
        self.votes: dict[int, str] = {}  # comparison id → winning variant name or TIE

    def __len__(self) -> int:
        return len(self.comparisons)

    def add(self, table: ComparisonTable) -> int:
        """Record a comparison; returns its id (its index in the history)."""
        self.comparisons.append(table)
        return len(self.comparisons) - 1

    def vote(self, comparison_id: int, winner: str) -> None:
        """Mark `winner` (a variant name, or TIE) as the better answer; a re-vote replaces."""
        if not 0 <= comparison_id < len(self.comparisons):
            raise VoteError(f"no comparison {comparison_id}: the history has "
                            f"{len(self.comparisons)} (ids 0..{len(self.comparisons) - 1})")
        names = [r.variant for r in self.comparisons[comparison_id]]
        if winner != TIE and winner not in names:
            raise VoteError(f"{winner!r} is not a variant of comparison {comparison_id}: "
                            f"vote for one of {names} or {TIE!r}")
        self.votes[comparison_id] = winner

    def _base_row(self, cid: int) -> dict:
        table = self.comparisons[cid]
        return {"comparison_id": cid, "prompt": table.messages,
                "settings": asdict(table.settings), "preset_id": table.preset_id}

    def preference_rows(self) -> list[dict]:
        """One row per (winner, loser) pair of every decided vote (ties excluded)."""
        out = []
        for cid, winner in sorted(self.votes.items()):
            if winner == TIE:
                continue
            table = self.comparisons[cid]
            chosen = table.row(winner)
            for loser in (r for r in table if r.variant != winner):
                out.append({**self._base_row(cid),
                            "chosen": [{"role": "assistant", "content": chosen.text}],
                            "rejected": [{"role": "assistant", "content": loser.text}],
                            "chosen_variant": winner, "rejected_variant": loser.variant})
        return out

    def tie_rows(self) -> list[dict]:
        """One row per tied comparison, with every variant's answer."""
        return [{**self._base_row(cid),
                 "answers": {r.variant: r.text for r in self.comparisons[cid]},
                 "variants": [r.variant for r in self.comparisons[cid]]}
                for cid, winner in sorted(self.votes.items()) if winner == TIE]

    def save_preferences(self, path: str | Path, ties_path: str | Path | None = None
                         ) -> tuple[Path, Path]:
        """Write preference pairs to `path` (JSONL) and ties beside it (`<stem>_ties.jsonl`)."""
        path = Path(path)
        ties_path = Path(ties_path) if ties_path else path.with_name(f"{path.stem}_ties.jsonl")
        return write_jsonl(self.preference_rows(), path), write_jsonl(self.tie_rows(), ties_path)

    def win_rates(self) -> dict[str, dict]:
        """Per variant over voted comparisons: wins, losses, ties, judged and win_rate.

        win_rate = wins / judged, where judged counts the voted comparisons the variant
        was in (ties included: a tie is a comparison the variant did not win).
        """
        stats: dict[str, dict] = {}
        for cid, winner in sorted(self.votes.items()):
            for row in self.comparisons[cid]:
                s = stats.setdefault(row.variant, {"wins": 0, "losses": 0, "ties": 0, "judged": 0})
                s["judged"] += 1
                key = "ties" if winner == TIE else "wins" if winner == row.variant else "losses"
                s[key] += 1
        for s in stats.values():
            s["win_rate"] = s["wins"] / s["judged"]
        return stats

    def win_rate_text(self) -> str:
        """The win-rate summary as a few lines of text (most wins first)."""
        rates = self.win_rates()
        if not rates:
            return "no votes yet"
        order = sorted(rates.items(), key=lambda kv: (-kv[1]["win_rate"], kv[0]))
        return "\n".join(f"{name}: won {s['wins']}/{s['judged']} ({100 * s['win_rate']:.0f}%), "
                         f"lost {s['losses']}, tied {s['ties']}" for name, s in order)

    def to_dict(self) -> dict:
        return {"comparisons": [{"id": i, **t.to_dict(), "vote": self.votes.get(i)}
                                for i, t in enumerate(self.comparisons)],
                "win_rates": self.win_rates()}

    def export_json(self, path: str | Path) -> Path:
        """Write every comparison (prompt, settings, answers, stop reasons, vote) as JSON."""
        return write_json(self.to_dict(), path)
