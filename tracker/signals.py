"""ERAS program signals: how many of each level the list uses, against the season's counts, and
where the signals left would go. Pure: plain program rows (model objects or dicts), the profile
and the rules in.

How signals are counted. ERAS counts a signal per institution and specialty: an institution's
tracks (categorical, preliminary...) in one specialty take one signal between them. Programs are
of one institution when their NRMP codes share the first four digits (1903140C0 and 1903140P0), or,
without a code, when their names are the same before " - " or a parenthesis, the word "Program"
left out, in the same state. An institution marked both Gold and Silver in a specialty counts as
Gold.

Which count applies. The season's counts are the ``signal_counts`` rule ([specialty, gold, silver];
silver 0 where the specialty has one level). A specialty with one level has no silver: its
signals are counted together, Gold or Silver, against its one number. A limit the applicant typed
in the profile (``signal_limits``) wins over the rule: it is the number of signals, both levels
together, the applicant may send in that specialty.

A former yes/no "signal sent" (before signals had levels) is kept as Gold: the one level of a
single-level specialty, and the stronger of the two elsewhere, which the applicant may change.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import fields, records, regions
from .rules import Rules
from .tiering import effective_tier

LEVELS = ("gold", "silver")
IMG_FRIENDLY_TIERS = ("likely", "possible")


def institution(row: Any) -> str:
    """The institution a program belongs to, as a key: its NRMP code's first four digits, else its
    name before " - " or "(" (without the word "Program") and its state."""
    code = (records.get(row, "program_code") or "").strip().upper()
    if fields.NRMP_CODE.fullmatch(code):
        return f"nrmp:{code[:4]}"
    name = re.split(r"\s+[-–—]\s+|\(", records.get(row, "name") or "", maxsplit=1)[0]
    name = re.sub(r"\bprogram\b", " ", name.lower())
    name = re.sub(r"[^a-z0-9]+", " ", name).strip()
    return f"name:{name}|{records.get(row, 'state') or ''}"


@dataclass(frozen=True)
class Allowance:
    """The signals one specialty allows: gold and silver (silver 0: one level), or one total."""

    gold: int
    silver: int = 0
    source: str = "rules"  # "rules" (the season's counts) or "profile" (the applicant's own limit)

    @property
    def single(self) -> bool:
        """One number for every signal: a single-level specialty, or the profile's limit."""
        return self.source == "profile" or self.silver == 0

    @property
    def total(self) -> int:
        return self.gold + self.silver


def allowance(specialty: str | None, rules: Rules, profile: Any = None) -> Allowance | None:
    """What ``specialty`` allows: the profile's limit where typed, else the season's counts; None
    where neither says (the specialty does not use signals, as far as the tracker knows)."""
    limit = (records.get(profile, "signal_limits") or {}).get(specialty) if specialty else None
    if limit is not None:
        return Allowance(int(limit), 0, "profile")
    counts = rules.signals(specialty)
    return None if counts is None else Allowance(*counts)


@dataclass
class Usage:
    """One specialty's signals: the institutions signalled at each level, against its allowance."""

    specialty: str
    allowed: Allowance | None
    gold: set[str] = field(default_factory=set)  # institution keys
    silver: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return fields.get("specialty").label_for(self.specialty)

    @property
    def used(self) -> int:
        return len(self.gold) + len(self.silver)

    @property
    def over(self) -> list[str]:
        """What is past the allowance, each a sentence; empty when within it."""
        a = self.allowed
        if a is None:
            return []
        if a.single:
            if self.used <= a.gold:
                return []
            allowed = "your profile says you may send" if a.source == "profile" else "ERAS allows"
            return [f"{self.used} {self.label} institutions are signalled; {allowed} {a.gold}"
                    + (" this season." if a.source == "rules" else ".")]
        out = []
        for level, used, most in (("gold", len(self.gold), a.gold), ("silver", len(self.silver), a.silver)):
            if used > most:
                out.append(f"{used} {self.label} institutions have a {level} signal; ERAS allows {most} {level} "
                           "this season.")
        return out

    @property
    def left(self) -> int:
        """Signals not used yet, of each level (0 when over, or without an allowance)."""
        a = self.allowed
        if a is None:
            return 0
        if a.single:
            return max(0, a.gold - self.used)
        return max(0, a.gold - len(self.gold)) + max(0, a.silver - len(self.silver))

    def text(self) -> str:
        """"2 of 3 gold, 5 of 12 silver", "4 of 5", or "3 (no count set)"."""
        a = self.allowed
        if a is None:
            return f"{self.used} (no count set)"
        if a.single:
            return f"{self.used} of {a.gold}"
        return f"{len(self.gold)} of {a.gold} gold, {len(self.silver)} of {a.silver} silver"


def usage(programs: Iterable[Any], rules: Rules, profile: Any = None) -> list[Usage]:
    """Each specialty with a signal on the list (live programs), in the catalogue's order."""
    levels: dict[str, dict[str, str]] = defaultdict(dict)  # specialty -> institution -> level
    for p in programs:
        level = records.get(p, "signal_sent")
        if level not in LEVELS or records.get(p, "deleted_at") is not None:
            continue
        specialty = records.get(p, "specialty") or "other"
        key = institution(p)
        if levels[specialty].get(key) != "gold":  # gold wins over silver
            levels[specialty][key] = level
    order = [c.value for c in fields.SPECIALTIES]
    result = []
    for specialty in sorted(levels, key=lambda s: order.index(s) if s in order else len(order)):
        by_level = levels[specialty]
        result.append(Usage(specialty, allowance(specialty, rules, profile),
                            {k for k, v in by_level.items() if v == "gold"},
                            {k for k, v in by_level.items() if v == "silver"}))
    return result


def warnings(programs: Iterable[Any], rules: Rules, profile: Any = None, specialty: str | None = None) -> list[str]:
    """Every sentence saying a specialty (or only ``specialty``) is past its signals."""
    return [w for u in usage(programs, rules, profile) if specialty is None or u.specialty == specialty
            for w in u.over]


# -- where the signals left would go -------------------------------------------------------

def tied_states(profile: Any) -> set[str]:
    """The states the profile's region ties name (codes, state names, regions, divisions)."""
    return regions.states_named(records.get(profile, "region_ties"), dict(fields.US_STATES))


def ties(row: Any, states: set[str]) -> list[str]:
    """The applicant's ties to a program, in words: its Ties tags, and the profile's region."""
    tie_field = fields.get("ties")
    found = [tie_field.label_for(t) for t in records.get(row, "ties") or []]
    if (records.get(row, "state") or "") in states:
        found.append(f"region ties ({records.get(row, 'state')})")
    return found


@dataclass(frozen=True)
class Suggestion:
    program_id: int
    name: str
    version: int
    specialty: str
    tier: str
    ties: tuple[str, ...]
    level: str = "gold"  # the level the signal would be: gold while the specialty has gold left

    @property
    def detail(self) -> str:
        return (f"{fields.get('specialty').label_for(self.specialty)}, {self.level} signal; "
                f"ties: {', '.join(self.ties)}")


def suggestions(programs: Iterable[Any], rules: Rules, profile: Any = None) -> list[Suggestion]:
    """Where the signals left might go (DOMAIN.md: "to IMG-friendly programs with ties"): programs
    not signalled yet, tiered Likely or Possible (so their visa is one the applicant takes, or not
    known to be refused), sponsoring a visa the applicant would take where the profile needs one,
    with a tie; in specialties that have signals left, whose institution has none yet. Likely
    first, then the most ties; at most the signals left in each specialty."""
    programs = [p for p in programs if records.get(p, "deleted_at") is None]
    used = {u.specialty: u for u in usage(programs, rules, profile)}
    states = tied_states(profile)
    visa = records.get(profile, "visa_needed")
    candidates: dict[str, list[tuple[str, Suggestion]]] = defaultdict(list)
    for p in programs:
        specialty = records.get(p, "specialty")
        tier = effective_tier(p)
        if records.get(p, "signal_sent") in LEVELS or tier not in IMG_FRIENDLY_TIERS or not specialty:
            continue
        if fields.sponsorship_answer(records.reader(p), visa) not in (None, "yes"):
            continue
        found = ties(p, states)
        if not found:
            continue
        u = used.get(specialty)
        if u is not None and institution(p) in u.gold | u.silver:
            continue  # its institution already has this specialty's signal
        candidates[specialty].append((institution(p), Suggestion(
            records.get(p, "id"), records.get(p, "name"), records.get(p, "version") or 1, specialty, tier,
            tuple(found))))
    result = []
    for specialty, items in candidates.items():
        u = used.get(specialty) or Usage(specialty, allowance(specialty, rules, profile))
        if u.allowed is None:
            continue  # no count for the specialty: it does not use signals, as far as the tracker knows
        gold_left = u.left if u.allowed.single else max(0, u.allowed.gold - len(u.gold))
        items.sort(key=lambda item: (item[1].tier != "likely", -len(item[1].ties), item[1].name))
        seen: set[str] = set()
        for key, s in items:
            if len(seen) >= u.left:
                break
            if key not in seen:  # one suggestion per institution: its tracks share the signal
                seen.add(key)
                result.append(dataclasses.replace(s, level="gold" if len(seen) <= gold_left else "silver"))
    result.sort(key=lambda s: (s.tier != "likely", -len(s.ties), s.name))
    return result
