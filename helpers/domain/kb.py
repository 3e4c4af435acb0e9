"""The knowledge base of Nimbusly, a fictional cloud-hosting provider, as structured facts.

Nimbusly does not exist; every number below was made up for the kit. That is the point: the
micro base model is pretrained on a corpus that never mentions any of this (helpers.build.micro checks
its corpus against `DOMAIN_TERMS`), so whatever the domain-SFT lesson measures was learned from
`data/domain/`, not remembered from pretraining.

A `Fact` is one answerable statement: the sentence an assistant should reply with, and the short
strings that sentence must contain to count as correct (helpers.domain.score checks them).
Questions live in helpers.build.domain.questions; this module only says what is true.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

COMPANY = "Nimbusly"

# Words that must never appear in the micro model's pretraining corpus. Distinctive on purpose:
# generic words ("plan", "support", "ticket") also occur in ordinary stories and are not listed.
# Match them with `find_domain_terms`, which knows about word boundaries ("SLA" is not "island").
DOMAIN_TERMS: tuple[str, ...] = (
    COMPANY, "Breeze", "Squall", "Tempest", "Monsoon",
    "refund", "SLA", "uptime", "invoice", "vCPU", "DDoS", "bandwidth",
)


@dataclass(frozen=True)
class Plan:
    """One hosting plan: what it costs and what resources it comes with."""

    name: str  # plan name as customers write it ("Breeze")
    price_usd: int  # monthly price in US dollars, before tax
    vcpus: int  # virtual CPU cores
    ram_gb: int  # memory in GB
    storage_gb: int  # SSD storage in GB


@dataclass(frozen=True)
class Fact:
    """One statement of the knowledge base and what an answer must contain to state it."""

    id: str  # stable dotted id, e.g. "plan.breeze.price"; record ids start with it
    topic: str  # area of the KB ("plans", "refunds", ...); reported per topic by score
    statement: str  # the one-sentence answer the assistant is trained to give
    facts: tuple[str, ...]  # strings the answer must state (compared after normalisation)
    intent: str = ""  # key of its question templates in helpers.build.domain.questions; "" = id
    plan: str | None = None  # plan name substituted for {plan} in shared templates

    @property
    def question_key(self) -> str:
        """Which question set asks for this fact (shared by the four plans of one attribute)."""
        return self.intent or self.id


PLANS: tuple[Plan, ...] = (
    Plan("Breeze", 5, 1, 1, 25),
    Plan("Squall", 12, 2, 4, 80),
    Plan("Tempest", 29, 4, 8, 160),
    Plan("Monsoon", 79, 8, 32, 640),
)


def _plan_facts(p: Plan) -> tuple[Fact, ...]:
    """The four attribute facts of one plan (price, vCPUs, RAM, storage)."""
    key = p.name.lower()
    cpus = f"{p.vcpus} vCPU" + ("" if p.vcpus == 1 else "s")
    return (
        Fact(f"plan.{key}.price", "plans", f"The {p.name} plan costs {p.price_usd} dollars a month.",
             (p.name, f"{p.price_usd} dollars"), "plan.price", p.name),
        Fact(f"plan.{key}.vcpus", "plans", f"The {p.name} plan has {cpus}.",
             (p.name, cpus), "plan.vcpus", p.name),
        Fact(f"plan.{key}.ram", "plans", f"The {p.name} plan has {p.ram_gb} GB of RAM.",
             (p.name, f"{p.ram_gb} GB"), "plan.ram", p.name),
        Fact(f"plan.{key}.storage", "plans",
             f"The {p.name} plan has {p.storage_gb} GB of SSD storage.",
             (p.name, f"{p.storage_gb} GB"), "plan.storage", p.name),
    )


# (id, topic, statement, facts) of every fact that is not a per-plan attribute.
_POLICY: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("plans.list", "plans", "Nimbusly offers four plans: Breeze, Squall, Tempest and Monsoon.",
     ("Breeze", "Squall", "Tempest", "Monsoon")),
    ("plans.cheapest", "plans", "The Breeze plan is the cheapest, at 5 dollars a month.",
     ("Breeze", "5 dollars")),
    ("plans.largest", "plans", "The Monsoon plan is the largest, with 8 vCPUs and 32 GB of RAM.",
     ("Monsoon", "8 vCPUs", "32 GB")),
    ("plans.change", "plans", "You can upgrade or downgrade your plan at any time from the dashboard.",
     ("any time", "dashboard")),
    ("refund.window", "refunds", "You can get a full refund within 14 days of your first payment.",
     ("14 days",)),
    ("refund.method", "refunds",
     "Refunds go back to your original payment method within 5 business days.",
     ("original payment method", "5 business days")),
    ("sla.uptime", "sla", "The Nimbusly SLA guarantees 99.95% uptime each month.", ("99.95%",)),
    ("sla.credit", "sla", "If monthly uptime drops below 99.95%, you get a credit of 10% of your bill.",
     ("10%",)),
    ("sla.claim_window", "sla", "SLA credits must be claimed within 30 days of the outage.",
     ("30 days",)),
    ("sla.claim_how", "sla", "To claim an SLA credit, open a support ticket with the outage date.",
     ("support ticket", "outage date")),
    ("support.hours", "support", "Live chat is open from 8 am to 8 pm UTC, Monday to Friday.",
     ("8 am", "8 pm", "Monday to Friday")),
    ("support.weekend", "support", "On weekends, support is by email ticket only.",
     ("weekend", "email")),
    ("support.email", "support", "The support email address is help@nimbusly.example.",
     ("help@nimbusly.example",)),
    ("support.response", "support", "Email tickets get a first reply within 24 hours.",
     ("24 hours",)),
    ("support.phone", "support", "Phone support is only included on the Tempest and Monsoon plans.",
     ("phone", "Tempest", "Monsoon")),
    ("escalation.security", "escalation",
     "Security incidents go to the security team within 30 minutes.",
     ("security team", "30 minutes")),
    ("escalation.senior", "escalation",
     "A ticket without a fix after 48 hours goes to a senior engineer.",
     ("48 hours", "senior engineer")),
    ("escalation.manager", "escalation",
     "To reach a support manager, reply to your ticket with the word URGENT.", ("URGENT",)),
    ("retention.backups", "retention", "Backups are made once a day and kept for 7 days.",
     ("once a day", "7 days")),
    ("retention.cancel", "retention",
     "After you cancel, your data is kept for 21 days and then deleted.", ("21 days",)),
    ("billing.date", "billing", "Invoices are sent on the 1st of every month.", ("1st",)),
    ("billing.due", "billing", "Each invoice must be paid within 10 days.", ("10 days",)),
    ("billing.suspend", "billing", "A server is suspended when its invoice is 15 days overdue.",
     ("15 days",)),
    ("billing.methods", "billing", "Nimbusly accepts credit cards and bank transfers.",
     ("credit cards", "bank transfers")),
    ("billing.yearly", "billing", "Paying yearly gives you a 15% discount.", ("15%",)),
    ("account.delete", "account", "To delete your account, go to Settings and choose Delete account.",
     ("Settings", "Delete account")),
    ("account.delete_final", "account", "Account deletion becomes final after 72 hours.",
     ("72 hours",)),
    ("migration.free", "migration", "Nimbusly moves one website for free when you sign up.",
     ("one website", "free")),
    ("migration.time", "migration", "A free migration is finished within 3 business days.",
     ("3 business days",)),
    ("network.traffic", "network", "Every plan includes 2 TB of traffic per month.", ("2 TB",)),
    ("network.ddos", "network", "Every plan includes free DDoS protection.", ("DDoS protection",)),
)


def build_facts() -> tuple[Fact, ...]:
    """Every fact of the knowledge base, plan attributes first, in a stable order."""
    plan_facts = tuple(f for p in PLANS for f in _plan_facts(p))
    return plan_facts + tuple(Fact(i, t, s, fs) for i, t, s, fs in _POLICY)


def kb_as_dict() -> dict:
    """The knowledge base as plain JSON-ready data (written to data/domain/kb.json)."""
    facts = [
        {"id": f.id, "topic": f.topic, "statement": f.statement, "facts": list(f.facts)}
        for f in build_facts()
    ]
    return {
        "company": COMPANY,
        "fictional": True,
        "plans": [asdict(p) for p in PLANS],
        "facts": facts,
        "domain_terms": list(DOMAIN_TERMS),
    }


def _term_pattern(term: str) -> re.Pattern[str]:
    # Whole word, case-insensitive, simple inflections: "refund" matches "refunds"/"refunded".
    return re.compile(rf"\b{re.escape(term)}(?:s|es|d|ed|ing)?\b", re.IGNORECASE)


def find_domain_terms(text: str, terms: tuple[str, ...] = DOMAIN_TERMS) -> list[str]:
    """Return the domain terms that `text` mentions (whole words, any case, simple plurals).

    Use this to check a pretraining corpus: an empty list means the text cannot have taught
    the base model Nimbusly's knowledge base.
    """
    return [t for t in terms if _term_pattern(t).search(text)]
