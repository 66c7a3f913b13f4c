"""Tiering rules as data: every threshold from DOMAIN.md's "what low means" and "Tiers"
sections (and the strategy articles behind it), with its default, a label, a sentence of help
and the heading it is shown under. The settings page edits them; the ones the user changed are
stored in the database; no threshold is written anywhere else. Pure Python."""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .fields import SPECIALTIES, TIER_CHOICES

TIERS = tuple(c.value for c in TIER_CHOICES)  # best first: likely, possible, reach, not_eligible
TIER_LABELS = {c.value: c.label for c in TIER_CHOICES}


def rule(default: Any, label: str, help: str, **bounds: Any) -> Any:
    factory = (lambda d=default: copy.deepcopy(list(d))) if isinstance(default, (list, tuple)) else None
    meta = {"label": label, "help": help, **bounds}
    if factory:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# The headings of the Tiering rules page, in order; each rule names its own.
GROUPS = (
    "Specialty",
    "Visa",
    "Step scores",
    "Attempts and Step 3",
    "IMG presence",
    "Setting and mission",
    "US clinical experience and letters",
    "Graduation and gaps",
    "How many applications",
    "Where",
    "The season",
    "ERAS signals",
    "ERAS fees",
)

# How a range the articles give ("< 215–220") is read: below its first number the rule applies;
# from the first number up to (not including) the second, a score is inside the band, and the
# reason says so without lowering the tier for it. "> ~220" is read as 220 or more.
RANGE_READING = (
    "A range such as \"< 215–220\" is read as a line and a band: below 215 the rule applies; from 215 up "
    "to 219 a score is inside the band, where some programs apply it: the tier says so among its reasons "
    "but is not lowered for it. \"> ~220\" is read as 220 or more.")

COMPETITIVENESS = ("realistic", "more_competitive", "extremely_competitive")


@dataclass
class Rules:
    # -- Specialty ("fields like dermatology, orthopedics, radiology, and plastics are extremely difficult with
    # low scores"; EM and OB/Gyn "often more competitive"; IM, FM, Peds, Psychiatry, Neurology, Pathology "the
    # most realistic entry points"); a combined program is placed as the more competitive of its parts; a
    # specialty in none of the lists is neither
    realistic_specialties: list[str] = rule(
        ["internal_medicine", "family_medicine", "pediatrics", "psychiatry", "neurology", "pathology",
         "child_neurology", "im_psychiatry", "fm_psychiatry", "triple_board", "neurology_psychiatry"],
        "Most realistic entry points for IMGs",
        "These specialties support the tier.", choices="specialty", group="Specialty")
    more_competitive_specialties: list[str] = rule(
        ["emergency_medicine", "obgyn", "general_surgery", "anesthesiology", "pmr", "transitional_year",
         "em_im", "em_fm", "peds_em"],
        "More competitive specialties",
        "\"Often more competitive; low scores may be more limiting\": with a Step 2 CK below average (the "
        "line under Step scores), Possible at best.", choices="specialty", group="Specialty")
    extremely_competitive_specialties: list[str] = rule(
        ["dermatology", "orthopaedic_surgery", "diagnostic_radiology", "plastic_surgery", "interventional_radiology",
         "radiation_oncology", "neurological_surgery", "otolaryngology", "ophthalmology", "urology",
         "vascular_surgery", "thoracic_surgery"],
        "Extremely competitive specialties",
        "\"Extremely difficult with low scores\": with a Step 2 CK below average, a reach; above it, Possible at "
        "best. A specialty in more than one list counts as the most competitive of them.",
        choices="specialty", group="Specialty")
    # -- Visa
    unknown_visa_tier: str = rule(
        "reach", "Best tier when visa sponsorship is unknown",
        "Unknown sponsorship never counts as a yes.", choices="tier", group="Visa")
    h1b_step2_expected: int = rule(
        230, "Step 2 CK H-1B sponsors expect",
        "H-1B programs have \"higher score and Step 3 expectations\": below this Step 2 CK (the top of the "
        "225–230 below-average band), an H-1B sponsor is Possible at best.", min=150, max=300, group="Visa")
    # -- Step scores
    comfortable_margin: int = rule(
        5, "Comfortable margin over a stated minimum",
        "Points above a program's stated minimum that count as clearing it comfortably; closer than this "
        "counts as near the minimum (Possible).", min=0, max=40, group="Step scores")
    below_preference_tier: str = rule(
        "reach", "Best tier below a preferred minimum",
        "A stated minimum marked Preferred (not a strict cutoff) that you miss lowers the tier to this; a "
        "strict cutoff you miss makes the program Not eligible.", choices="tier", group="Step scores")
    step1_below_average: int = rule(
        215, "Step 1 (old numeric score) below average: the line",
        "\"< 215–220\": below this score, an old numeric Step 1 lowers the tier to Possible at best.",
        min=150, max=300, group="Step scores")
    step1_band_top: int = rule(
        220, "Step 1 below average: the band's top",
        "From the line up to below this score, a Step 1 is inside the band: said, not lowered.",
        min=150, max=300, group="Step scores")
    step2_university_low: int = rule(
        225, "Step 2 CK below average: the line",
        "\"< 225–230\" (below average for university programs): below this score, university programs are a "
        "reach, competitive specialties are limited and border or global-health programs need a mission fit.",
        min=150, max=300, group="Step scores")
    step2_university_band_top: int = rule(
        230, "Step 2 CK below average: the band's top",
        "From the line up to below this score, a Step 2 CK is inside the below-average band.",
        min=150, max=300, group="Step scores")
    step2_filter_low: int = rule(
        215, "Step 2 CK that may hit automatic filters: the line",
        "\"< 215–220\": below this score, community and county programs without a stated minimum may still "
        "filter the application (Possible at best).", min=150, max=300, group="Step scores")
    step2_filter_band_top: int = rule(
        220, "Step 2 CK that may hit automatic filters: the band's top",
        "From the line up to below this score, a Step 2 CK is inside the band where some community and county "
        "programs filter.", min=150, max=300, group="Step scores")
    step2_very_low: int = rule(
        210, "Step 2 CK at which many programs never see the application: the line",
        "\"< 210–215\": below this score, programs without a stated minimum are a reach.",
        min=150, max=300, group="Step scores")
    step2_very_low_band_top: int = rule(
        215, "Step 2 CK at which many programs never see the application: the band's top",
        "From the line up to below this score, a Step 2 CK is inside that band.", min=150, max=300,
        group="Step scores")
    # -- Attempts and Step 3
    many_attempts: int = rule(
        2, "Failed attempts that count as several",
        "Any failed Step 1, Step 2 CK or Step 3 attempt is a red flag (Possible at best). This many failed "
        "attempts, all exams together, make a program that states no attempt limit a reach: many never see the "
        "application.", min=1, max=10, group="Attempts and Step 3")
    step3_pass_score: int = rule(
        200, "Step 3 passing score",
        "A Step 3 below this score is a failed attempt.", min=150, max=300, group="Attempts and Step 3")
    step3_solid: int = rule(
        220, "Solid Step 3 score",
        "\"> ~220\", read as this score or more: a passed Step 3 this high helps, most of all with H-1B "
        "sponsors. A weak (lower) or failed Step 3 \"can worsen\" any profile: Possible at best, whatever the "
        "visa.", min=150, max=300, group="Attempts and Step 3")
    # -- IMG presence
    clear_non_us_img_count: int = rule(
        2, "Clear IMG presence: non-US IMGs in current classes",
        "\"Multiple IMGs, especially non-US citizen IMG\": this many non-US IMGs among current residents is "
        "clear presence (Likely); fewer but some, Possible; none, a reach.", min=0, max=100, group="IMG presence")
    clear_non_us_img_percent: float = rule(
        10, "Clear IMG presence: % non-US IMG residents",
        "This share of non-US IMG residents is clear presence too.", min=0, max=100, group="IMG presence")
    clear_img_percent: float = rule(
        20, "Clear IMG presence: % IMG residents",
        "An all-IMG share this high is clear presence (Likely) where at least one non-US IMG is known among the "
        "residents. Alone, while nobody knows who is non-US, it supports Possible, never Likely: the IMGs may be "
        "US citizens who studied abroad.", min=0, max=100, group="IMG presence")
    some_img_percent: float = rule(
        5, "Some IMG presence: % IMG residents",
        "At least this share is some IMG presence (Possible); below it, low presence (Reach).", min=0, max=100,
        group="IMG presence")
    unknown_img_tier: str = rule(
        "reach", "Best tier when IMG presence is unknown",
        "Unclear IMG data is Tier 3 (Reach) in the articles; unknown never counts as clear presence.",
        choices="tier", group="IMG presence")
    # -- Setting and mission
    friendly_settings: list[str] = rule(
        ["university_affiliated", "community", "county", "safety_net", "fqhc"], "IMG-friendly settings",
        "County, safety-net and community settings (university-affiliated community ones included) count "
        "towards Likely.", choices="setting", group="Setting and mission")
    academic_settings: list[str] = rule(
        ["university"], "Academic settings",
        "Academic (university) programs are competitive: a reach, a global-health track or other mission "
        "included (\"academic programs with prestigious global health tracks\" are Tier 3).", choices="setting",
        group="Setting and mission")
    mission_tags: list[str] = rule(
        ["global_health", "underserved", "immigrant_refugee", "border", "rural", "spanish"],
        "Mission-aligned tags",
        "A program with any of these tags is mission-aligned, which counts like an IMG-friendly setting (not at "
        "academic settings).", choices="mission_tags", group="Setting and mission")
    fit_required_tags: list[str] = rule(
        ["border", "global_health"], "Programs where a low score needs a mission fit",
        "\"Your numerical disadvantage must be offset by an obvious mission fit\": with a Step 2 CK below "
        "average and no fit on your profile (Spanish, border, global-health experience...), programs with these "
        "tags are Possible at best.", choices="mission_tags", group="Setting and mission")
    # -- US clinical experience and letters
    usce_months_required: int = rule(
        1, "Months of hands-on USCE that meet a \"USCE required\"",
        "Programs that require US clinical experience exclude applicants with fewer hands-on months (with "
        "observerships only, a reach); where the requirement is unknown, fewer months make a program Possible "
        "at best.", min=0, max=60, group="US clinical experience and letters")
    usce_expected_months: int = rule(
        2, "Months of hands-on USCE programs expect",
        "\"2–3 months of USCE ..., with at least one month inpatient\": fewer hands-on months make a program "
        "that requires or prefers USCE (or one of the settings below) Possible at best. Observerships and "
        "tele-rotations count for less than hands-on months, and do not count here.", min=0, max=60,
        group="US clinical experience and letters")
    usce_inpatient_expected: int = rule(
        1, "Inpatient months of USCE programs expect", "Among the hands-on months.", min=0, max=60,
        group="US clinical experience and letters")
    us_letters_expected: int = rule(
        1, "US letters of recommendation programs expect",
        "Letters from US clinical work, which the articles tie to USCE.", min=0, max=10,
        group="US clinical experience and letters")
    usce_depth_settings: list[str] = rule(
        ["university", "university_affiliated"], "Settings that expect that depth whatever they state",
        "Programs in these settings expect the months, inpatient month and letters above even where their USCE "
        "requirement is not known.", choices="setting", group="US clinical experience and letters")
    # -- Graduation and gaps
    old_graduation_years: int = rule(
        5, "Years since graduation that count as an older graduation",
        "Where a program states no graduation-year limit, graduating more than this many years before the Match "
        "is a risk factor: Possible at best.", min=0, max=50, group="Graduation and gaps")
    long_gap_months: int = rule(
        12, "Months without clinical work that count as a long gap",
        "A longer gap in clinical activity is a risk factor: Possible at best.", min=0, max=600,
        group="Graduation and gaps")
    # -- How many applications (DOMAIN.md "How many, and where")
    core_specialties: list[str] = rule(
        ["internal_medicine", "family_medicine", "pediatrics"], "Broad specialties",
        "Specialties where IMGs apply widely (IM, FM, Pediatrics).", choices="specialty",
        group="How many applications")
    narrow_specialties: list[str] = rule(
        ["psychiatry", "neurology", "pathology"], "Smaller specialties",
        "Specialties with fewer programs (Psychiatry, Neurology, Pathology).", choices="specialty",
        group="How many applications")
    apps_step2_line: int = rule(
        220, "Step 2 CK below which to apply more widely",
        "Below this score, or with more than one attempt, apply to the larger range.", min=150, max=300,
        group="How many applications")
    core_apps_min: int = rule(80, "Broad specialties: fewest applications", "With Step 2 CK at or above the line.",
                              min=1, max=500, group="How many applications")
    core_apps_max: int = rule(120, "Broad specialties: most applications", "With Step 2 CK at or above the line.",
                              min=1, max=500, group="How many applications")
    core_low_apps_min: int = rule(120, "Broad specialties, low score: fewest applications",
                                  "Below the line or after several attempts.", min=1, max=500,
                                  group="How many applications")
    core_low_apps_max: int = rule(160, "Broad specialties, low score: most applications",
                                  "Below the line or after several attempts.", min=1, max=500,
                                  group="How many applications")
    im_low_step2_line: int = rule(
        225, "Internal Medicine: Step 2 CK below which to apply more widely",
        "The IM article: \"120–150+\" applications for low scores, \"Step 2 CK below 225–230 or a failure\". "
        "Below this line IM gets the IM-article range; from it up to the band's top the advice says so.",
        min=150, max=300, group="How many applications")
    im_low_step2_band_top: int = rule(
        230, "Internal Medicine: top of the 225–230 band",
        "A score from the line up to (not including) this one is inside the IM article's band: the usual range "
        "stands and the advice names the wider one.", min=150, max=300, group="How many applications")
    im_low_apps_min: int = rule(120, "Internal Medicine, low score: fewest applications (IM article)",
                                "The IM article's \"120–150+\".", min=1, max=500, group="How many applications")
    im_low_apps_max: int = rule(150, "Internal Medicine, low score: most applications (IM article)",
                                "The IM article's \"120–150+\".", min=1, max=500, group="How many applications")
    border_specialties: list[str] = rule(
        ["internal_medicine", "family_medicine"], "Border programs: specialties",
        "The border article's range is for IM and FM applicants with US-Mexico border or Hispanic-community "
        "experience (Profile, mission experience).", choices="specialty", group="How many applications")
    border_apps_min: int = rule(80, "Border programs: fewest applications (border article)",
                                "\"80–120\" for IM/FM.", min=1, max=500, group="How many applications")
    border_apps_max: int = rule(120, "Border programs: most applications (border article)",
                                "\"80–120\" for IM/FM.", min=1, max=500, group="How many applications")
    global_health_apps_min: int = rule(
        80, "Global health: fewest applications (global health article)",
        "\"80–150\", for an applicant with global health work (Profile, mission experience) in a broad specialty.",
        min=1, max=500, group="How many applications")
    global_health_apps_max: int = rule(150, "Global health: most applications (global health article)",
                                       "\"80–150\".", min=1, max=500, group="How many applications")
    narrow_apps_min: int = rule(60, "Smaller specialties: fewest applications", "With low scores.", min=1, max=500,
                                group="How many applications")
    narrow_apps_max: int = rule(100, "Smaller specialties: most applications", "With low scores.", min=1, max=500,
                                group="How many applications")
    backup_apps_percent: int = rule(
        50, "Backup specialty: share of the main range (%)",
        "A backup specialty gets \"a smaller number of applications\" (DOMAIN.md, \"How many, and where\"): "
        "this share of the range its score would give as a main specialty, rounded up.", min=1, max=100,
        group="How many applications")
    county_share_min: int = rule(50, "County-focused strategy: lowest share of county / safety-net (%)",
                                 "For a county-focused strategy, at least this share of applications.", min=0,
                                 max=100, group="How many applications")
    county_share_max: int = rule(70, "County-focused strategy: highest share (%)", "The upper end of the goal.",
                                 min=0, max=100, group="How many applications")
    county_settings: list[str] = rule(["county", "safety_net"], "County and safety-net settings",
                                      "Settings that count towards the county share.", choices="setting",
                                      group="How many applications")
    # -- Where (DOMAIN.md "How many, and where": "favour less competitive regions (Midwest, South,
    # non-coastal Northeast) over a few big coastal cities"; ERAS's geographic preference)
    big_city_share_max: int = rule(
        25, "Big coastal cities: most of the list (%)",
        "Past this share of the programs on the list (or of a season's applications) in the big coastal cities, "
        "the list is concentrated in a few big cities: the dashboard and the season's analysis say so and point "
        "to the Midwest, the South, the non-coastal Northeast, smaller cities and rural border towns.",
        min=0, max=100, group="Where")
    geographic_divisions_max: int = rule(
        3, "ERAS geographic preference: census divisions",
        "ERAS lets an applicant name up to this many of the nine census divisions (with an urban, suburban or "
        "rural setting); programs in them see the preference. Source: AAMC ERAS, 2026 season.",
        min=1, max=9, group="Where")
    # -- The season (DOMAIN.md "The season, and its communications")
    thank_you_after_hours: int = rule(24, "Thank-you note: due from (hours after the interview)",
                                      "A thank-you email is due this long after each interview.", min=0, max=240,
                                      group="The season")
    thank_you_within_hours: int = rule(72, "Thank-you note: overdue after (hours)",
                                       "After this long it is overdue.", min=1, max=720, group="The season")
    season_opens_month: int = rule(9, "Season opens (month, the year before the Match)",
                                   "From then until the Match, the tracker opens on Today.", min=1, max=12,
                                   group="The season")
    season_date_window_days: int = rule(
        14, "Season dates: shown this many days ahead",
        "Today and its notes show each date of the season's calendar (ERAS opening, programs' review, NRMP "
        "registration, ranking, the rank-list deadline, Match Week) from this many days before it to the day "
        "itself; the SOAP list reminder starts this many days before Match Week. Source: the NRMP's 2026 Main "
        "Residency Match calendar and AAMC ERAS 2026.", min=0, max=120, group="The season")
    invitation_answer_hours: int = rule(
        48, "Interview invitation: hours programs must leave to accept",
        "Programs must leave at least this long to accept an invitation; Today says how old each one is and to "
        "answer now, and past it that the slot may be gone. Source: the NRMP's and ERAS's interview guidance.",
        min=1, max=240, group="The season")
    season_closes_month: int = rule(3, "Season closes (month of the Match)", "The Match is in March.", min=1,
                                    max=12, group="The season")
    # -- Between cycles (DOMAIN.md "The season": "if unmatched ... change something significant between
    # cycles—scores, USCE, research, or letters"): what counts as significant in the profile's changes
    cycle_step2_points: int = rule(
        1, "Between cycles: a Step 2 CK this many points higher is significant",
        "A first Step 2 CK, or one at least this many points higher than last season's profile, counts as a "
        "significant change, as does a Step 3 passed since. Source: \"change something significant between "
        "cycles—scores, USCE, research, or letters\" (DOMAIN.md, if unmatched).",
        min=1, max=100, group="The season")
    cycle_usce_months: int = rule(
        3, "Between cycles: more months of hands-on USCE that are significant",
        "At least this many more months of hands-on US clinical experience than last season's profile count as "
        "a significant change (observerships alone do not). Source: \"change something significant between "
        "cycles—scores, USCE, research, or letters\".", min=1, max=24, group="The season")
    cycle_us_letters: int = rule(
        1, "Between cycles: more US letters that are significant",
        "At least this many more US letters of recommendation than last season's profile count as a significant "
        "change. Source: \"change something significant between cycles—scores, USCE, research, or letters\".",
        min=1, max=10, group="The season")
    # -- ERAS program signals, per specialty and season (AAMC)
    signal_counts: list[list] = rule(
        [["internal_medicine", 3, 12], ["anesthesiology", 5, 10], ["dermatology", 3, 25],
         ["diagnostic_radiology", 6, 6], ["family_medicine", 5, 0], ["pediatrics", 5, 0], ["psychiatry", 10, 0],
         ["neurology", 8, 0], ["pathology", 5, 0], ["emergency_medicine", 5, 0], ["general_surgery", 15, 0],
         ["transitional_year", 12, 0]],
        "Program signals ERAS allows, by specialty",
        "One specialty a line, \"Internal Medicine: 3 gold + 12 silver\" or \"Family Medicine: 5\" where the "
        "signals have one level; counted per institution across its tracks. Source: AAMC ERAS program "
        "signaling, 2026 season; check it each season. A limit typed in your profile wins.",
        kind="signal_counts", group="ERAS signals")
    # -- ERAS application fees, per specialty (AAMC)
    eras_fee_season: str = rule("ERAS 2026 season (AAMC)", "Fee schedule",
                                "Which AAMC schedule the fees below are; check it each season.", group="ERAS fees")
    eras_fee_bands: list[list[int]] = rule(
        [[1, 11], [31, 30]], "ERAS fees per program, by band",
        "One band a line, \"from program N: $price each\": every program from N on costs that price, until the "
        "next band starts. The count starts again for each specialty.", kind="fee_bands", group="ERAS fees")

    def competitiveness(self, specialty: str | None) -> str | None:
        """The specialty's level (COMPETITIVENESS), the most competitive list it is in; None if in none."""
        for level in reversed(COMPETITIVENESS):
            if specialty in getattr(self, f"{level}_specialties"):
                return level
        return None

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
        if "signal_counts" in stored:
            try:
                stored["signal_counts"] = check_signal_counts(stored["signal_counts"])
            except (TypeError, ValueError):
                del stored["signal_counts"]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def signals(self, specialty: str | None) -> tuple[int, int] | None:
        """(gold, silver) signals ERAS allows in ``specialty`` this season; None when no count is set."""
        for key, gold, silver in self.signal_counts:
            if key == specialty:
                return gold, silver
        return None


def describe() -> list[dict[str, Any]]:
    """Each rule's name, default, label, help, heading and bounds, for the settings page."""
    defaults = Rules()
    return [
        {"name": f.name, "default": getattr(defaults, f.name), "type": f.type, **f.metadata}
        for f in fields(Rules)
    ]


def grouped() -> list[tuple[str, list[dict[str, Any]]]]:
    """The described rules under their headings, in GROUPS order."""
    described = describe()
    return [(group, [d for d in described if d["group"] == group]) for group in GROUPS]


def changed_from_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Only the rules that differ from their defaults: what a saved rule set stores, so that a
    default changed by a later version reaches everyone who did not change that rule."""
    defaults = Rules().as_dict()
    return {name: value for name, value in values.items() if name in defaults and _key(value) != _key(defaults[name])}


def _key(value: Any) -> Any:
    """A rule's value compared regardless of the order of a list of choices (ticked boxes)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


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


# -- ERAS program signals: [[specialty, gold, silver], ...]; silver 0 for a single level ---------

MAX_SIGNALS = 100
_SIGNAL_LINE = re.compile(r"(.+?)\s*[:=]\s*(\d+)(?:\s*gold)?(?:\s*(?:\+|and)\s*(\d+)(?:\s*silver)?)?\.?",
                          re.IGNORECASE)


def _specialty_key(name: str) -> str | None:
    name = name.strip().lower()
    for c in SPECIALTIES:
        if name in (c.value, c.label.lower()):
            return c.value
    return None


def check_signal_counts(counts: Any) -> list[list]:
    """The counts as [specialty key, gold, silver] rows, or ValueError saying what is wrong."""
    if not isinstance(counts, (list, tuple)):
        raise TypeError(f"Not a list of signal counts: {counts!r}")
    checked: list[list] = []
    for row in counts:
        if (not isinstance(row, (list, tuple)) or len(row) != 3 or not isinstance(row[0], str)
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in row[1:])):
            raise TypeError(f"Not a signal count: {row!r}")
        key, gold, silver = row
        label = next((c.label for c in SPECIALTIES if c.value == key), None)
        if label is None:
            raise ValueError(f"{key!r} is not a specialty of the catalogue.")
        if any(k == key for k, _, _ in checked):
            raise ValueError(f"{label} is given twice.")
        if gold + silver > MAX_SIGNALS:
            raise ValueError(f"{label}: {gold + silver} signals; at most {MAX_SIGNALS}.")
        checked.append([key, gold, silver])
    return checked


def parse_signal_counts(text: str) -> list[list]:
    """Counts typed one a line: \"Internal Medicine: 3 gold + 12 silver\", \"Family Medicine: 5\"."""
    counts = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        match = _SIGNAL_LINE.fullmatch(line.strip())
        if not match:
            raise ValueError(f"Line {number}: write \"Internal Medicine: 3 gold + 12 silver\" or "
                             "\"Family Medicine: 5\".")
        name, gold, silver = match.groups()
        key = _specialty_key(name)
        if key is None:
            raise ValueError(f"Line {number}: \"{name.strip()}\" is not one of the specialties.")
        counts.append([key, int(gold), int(silver or 0)])
    return check_signal_counts(counts)


def format_signal_counts(counts: list[list]) -> str:
    labels = {c.value: c.label for c in SPECIALTIES}
    return "\n".join(f"{labels.get(key, key)}: {gold} gold + {silver} silver" if silver
                      else f"{labels.get(key, key)}: {gold}" for key, gold, silver in counts)
