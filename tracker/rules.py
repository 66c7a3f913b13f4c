"""Tiering rules as data: every threshold from DOMAIN.md's "what low means" and "Tiers"
sections, with its default, a label and a sentence of help. The settings page edits them;
they are stored in the database; no threshold is written anywhere else. Pure Python."""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .fields import TIER_CHOICES

TIERS = tuple(c.value for c in TIER_CHOICES)  # best first: likely, possible, reach, not_eligible
TIER_LABELS = {c.value: c.label for c in TIER_CHOICES}


def rule(default: Any, label: str, help: str, **bounds: Any) -> Any:
    factory = (lambda d=default: copy.deepcopy(list(d))) if isinstance(default, (list, tuple)) else None
    meta = {"label": label, "help": help, **bounds}
    if factory:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Rules:
    comfortable_margin: int = rule(
        5, "Comfortable margin over a stated minimum",
        "Points of Step 2 CK above a program's stated minimum that count as clearing it comfortably; "
        "closer than this counts as near the minimum (Possible).", min=0, max=40)
    clear_img_percent: float = rule(
        20, "Clear IMG presence: % IMG residents",
        "A program with at least this share of IMG residents has clear IMG presence (Likely).", min=0, max=100)
    some_img_percent: float = rule(
        5, "Some IMG presence: % IMG residents",
        "At least this share is some IMG presence (Possible); below it, low presence (Reach).", min=0, max=100)
    clear_non_us_img_count: int = rule(
        2, "Clear IMG presence: non-US IMGs in current classes",
        "This many non-US IMGs among current residents also counts as clear IMG presence.", min=0, max=100)
    step2_university_low: int = rule(
        225, "Step 2 CK below average for university programs",
        "Below this score, university programs are a reach.", min=150, max=300)
    step2_filter_low: int = rule(
        215, "Step 2 CK that may hit automatic filters",
        "Below this score, community and county programs without a stated minimum may still filter "
        "the application (Possible at best).", min=150, max=300)
    step2_very_low: int = rule(
        210, "Step 2 CK at which many programs never see the application",
        "Below this score, programs without a stated minimum are a reach.", min=150, max=300)
    step3_solid: int = rule(
        220, "Solid Step 3 score",
        "A passed Step 3 at or above this score helps, most of all with H-1B sponsors; below it, an H-1B "
        "sponsor is Possible at best, as without Step 3.", min=150, max=300)
    step1_below_average: int = rule(
        215, "Step 1 (old numeric score) below average",
        "Below this score (the usual advice says 215-220), an old numeric Step 1 lowers the tier to Possible at "
        "best.", min=150, max=300)
    many_attempts: int = rule(
        2, "Failed attempts that count as several",
        "Any failed Step 1 or Step 2 CK attempt is a red flag (Possible at best). This many failed attempts, "
        "both exams together, make a program that states no attempt limit a reach: many never see the "
        "application.", min=1, max=10)
    usce_months_required: int = rule(
        1, "Months of USCE that meet a \"USCE required\"",
        "Programs that require US clinical experience exclude applicants with fewer months; where the "
        "requirement is unknown, fewer months make a program Possible at best.", min=0, max=60)
    friendly_settings: list[str] = rule(
        ["county", "safety_net", "community", "fqhc"], "IMG-friendly settings",
        "County, safety-net and community settings count towards Likely.", choices="setting")
    academic_settings: list[str] = rule(
        ["university"], "Academic settings",
        "Academic (university) programs are competitive: a reach unless mission-aligned.", choices="setting")
    mission_tags: list[str] = rule(
        ["global_health", "underserved", "immigrant_refugee", "border", "rural", "spanish"],
        "Mission-aligned tags",
        "A program with any of these tags is mission-aligned, which counts like an IMG-friendly setting.",
        choices="mission_tags")
    # How many applications (DOMAIN.md "How many, and where")
    core_specialties: list[str] = rule(
        ["internal_medicine", "family_medicine", "pediatrics"], "Broad specialties",
        "Specialties where IMGs apply widely (IM, FM, Pediatrics).", choices="specialty")
    narrow_specialties: list[str] = rule(
        ["psychiatry", "neurology", "pathology"], "Smaller specialties",
        "Specialties with fewer programs (Psychiatry, Neurology, Pathology).", choices="specialty")
    apps_step2_line: int = rule(
        220, "Step 2 CK below which to apply more widely",
        "Below this score, or with more than one attempt, apply to the larger range.", min=150, max=300)
    core_apps_min: int = rule(80, "Broad specialties: fewest applications", "With Step 2 CK at or above the line.",
                              min=1, max=500)
    core_apps_max: int = rule(120, "Broad specialties: most applications", "With Step 2 CK at or above the line.",
                              min=1, max=500)
    core_low_apps_min: int = rule(120, "Broad specialties, low score: fewest applications",
                                  "Below the line or after several attempts.", min=1, max=500)
    core_low_apps_max: int = rule(160, "Broad specialties, low score: most applications",
                                  "Below the line or after several attempts.", min=1, max=500)
    narrow_apps_min: int = rule(60, "Smaller specialties: fewest applications", "With low scores.", min=1, max=500)
    narrow_apps_max: int = rule(100, "Smaller specialties: most applications", "With low scores.", min=1, max=500)
    # The season (DOMAIN.md "The season, and its communications")
    thank_you_after_hours: int = rule(24, "Thank-you note: due from (hours after the interview)",
                                      "A thank-you email is due this long after each interview.", min=0, max=240)
    thank_you_within_hours: int = rule(72, "Thank-you note: overdue after (hours)",
                                       "After this long it is overdue.", min=1, max=720)
    season_opens_month: int = rule(9, "Season opens (month, the year before the Match)",
                                   "From then until the Match, the tracker opens on Today.", min=1, max=12)
    season_closes_month: int = rule(3, "Season closes (month of the Match)", "The Match is in March.", min=1, max=12)
    county_share_min: int = rule(50, "County-focused strategy: lowest share of county / safety-net (%)",
                                 "For a county-focused strategy, at least this share of applications.", min=0, max=100)
    county_share_max: int = rule(70, "County-focused strategy: highest share (%)", "The upper end of the goal.",
                                 min=0, max=100)
    county_settings: list[str] = rule(["county", "safety_net"], "County and safety-net settings",
                                      "Settings that count towards the county share.", choices="setting")
    # ERAS application fees, per specialty (AAMC)
    eras_fee_season: str = rule("ERAS 2026 season (AAMC)", "Fee schedule",
                                "Which AAMC schedule the fees below are; check it each season.")
    eras_fee_bands: list[list[int]] = rule(
        [[1, 11], [31, 30]], "ERAS fees per program, by band",
        "One band a line, \"from program N: $price each\": every program from N on costs that price, until the "
        "next band starts. The count starts again for each specialty.", kind="fee_bands")
    unknown_visa_tier: str = rule(
        "reach", "Best tier when visa sponsorship is unknown",
        "Unknown sponsorship never counts as a yes.", choices="tier")
    unknown_img_tier: str = rule(
        "possible", "Best tier when IMG presence is unknown",
        "Unknown IMG presence never counts as clear presence.", choices="tier")

    @classmethod
    def from_mapping(cls, stored: dict[str, Any] | None) -> Rules:
        """Defaults, with what is stored on top (unknown keys, from an older version, are ignored).

        Rule sets saved before the fee bands were data hold the last season's fees as four fixed
        keys: those are dropped with the schedule name that described them, so the current
        season's defaults apply. Fee bands stored in a shape no longer accepted fall back to the
        defaults too."""
        stored = dict(stored or {})
        if LEGACY_FEE_KEYS & stored.keys():
            stored.pop("eras_fee_season", None)
        if "eras_fee_bands" in stored:
            try:
                stored["eras_fee_bands"] = check_fee_bands(stored["eras_fee_bands"])
            except (TypeError, ValueError):
                del stored["eras_fee_bands"]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe() -> list[dict[str, Any]]:
    """Each rule's name, default, label, help and bounds, for the settings page."""
    defaults = Rules()
    return [
        {"name": f.name, "default": getattr(defaults, f.name), "type": f.type, **f.metadata}
        for f in fields(Rules)
    ]


# -- ERAS fee bands: [[first program, price each], ...], first at 1, ascending ----------------

LEGACY_FEE_KEYS = frozenset({"eras_fee_first_10", "eras_fee_11_20", "eras_fee_21_30", "eras_fee_31_up"})
MAX_FEE_BANDS = 10
_BAND_LINE = re.compile(  # "from program 31: $30 each", "31: 30", "from 31 $30"
    r"(?:from\s+)?(?:programs?\s+)?(\d+)(?!\d)\s*[:=]?\s*(-?)\s*\$?\s*(-?)\s*(\d{1,3}(?:,\d{3})*|\d+)(?:\.0+)?"
    r"\s*(?:each|per program)?\.?", re.IGNORECASE)


def check_fee_bands(bands: Any) -> list[list[int]]:
    """The bands as a list of [first program, price] pairs, or ValueError saying what is wrong."""
    if not isinstance(bands, (list, tuple)) or not bands:
        raise ValueError("Enter at least one band, such as \"from program 1: $11 each\".")
    if len(bands) > MAX_FEE_BANDS:
        raise ValueError(f"Enter at most {MAX_FEE_BANDS} bands.")
    checked: list[list[int]] = []
    for band in bands:
        if (not isinstance(band, (list, tuple)) or len(band) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in band)):
            raise TypeError(f"Not a fee band: {band!r}")
        first, price = band
        if price < 0:
            raise ValueError(f"The price from program {first} is negative: prices are $0 or more.")
        if price > 1000:
            raise ValueError(f"The price from program {first} is over $1,000 a program.")
        if not checked and first != 1:
            raise ValueError("The first band starts at program 1.")
        if checked and first <= checked[-1][0]:
            raise ValueError(f"Each band starts after the one before: program {first} does not come after "
                             f"program {checked[-1][0]}.")
        if first > 1000:
            raise ValueError(f"A band starts at program {first}: at most 1,000.")
        checked.append([first, price])
    return checked


def parse_fee_bands(text: str) -> list[list[int]]:
    """Bands typed one a line, \"from program 31: $30 each\" (or just \"31: 30\")."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _BAND_LINE.fullmatch(line.strip())
        if not match:
            raise ValueError(f"Line {number}: write each band as \"from program 31: $30 each\".")
        first, minus, minus_after_dollar, price = match.groups()
        price = int(price.replace(",", ""))
        bands.append([int(first), -price if minus or minus_after_dollar else price])
    return check_fee_bands(bands)


def format_fee_bands(bands: list[list[int]]) -> str:
    return "\n".join(f"from program {first}: ${price:,} each" for first, price in bands)
