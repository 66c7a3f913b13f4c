"""Forty fictional programs that cover the specialties an IMG applies to, and every setting,
visa case, mission tag, application status and email status in the catalogue: the list a new
user explores first."""

from __future__ import annotations

import datetime as dt
from itertools import cycle
from typing import Any, Iterator

from . import fields

# (city, state): spread over the Midwest, South, Northeast and West, with big coastal cities
# and smaller ones, as an IMG's real list is.
PLACES = [
    ("Toledo", "OH"), ("Bronx", "NY"), ("El Paso", "TX"), ("Flint", "MI"), ("Peoria", "IL"),
    ("Macon", "GA"), ("Fresno", "CA"), ("Scranton", "PA"), ("Shreveport", "LA"), ("Wichita", "KS"),
    ("Camden", "NJ"), ("Brownsville", "TX"), ("Dayton", "OH"), ("Jackson", "MS"), ("Yakima", "WA"),
    ("Huntington", "WV"), ("Newark", "NJ"), ("Tucson", "AZ"), ("Sioux Falls", "SD"), ("Mobile", "AL"),
    ("Bakersfield", "CA"), ("Youngstown", "OH"), ("Albuquerque", "NM"), ("Lansing", "MI"),
    ("Chattanooga", "TN"), ("Brooklyn", "NY"), ("Laredo", "TX"), ("Gary", "IN"), ("Springfield", "MO"),
    ("Bridgeport", "CT"), ("Montgomery", "AL"), ("Erie", "PA"), ("McAllen", "TX"), ("Rockford", "IL"),
    ("Savannah", "GA"), ("Worcester", "MA"), ("Omaha", "NE"), ("Stockton", "CA"), ("Pueblo", "CO"),
    ("Lubbock", "TX"),
]

HOSPITAL = {
    "university": "{city} University Hospital",
    "university_affiliated": "{city} Regional Medical Center",
    "community": "{city} Community Hospital",
    "county": "{city} County Medical Center",
    "safety_net": "{city} Public Health System",
    "va": "{city} VA Medical Center",
    "fqhc": "{city} Family Health Center",
    "other": "{city} Army Medical Center",
}

# (J-1, H-1B): every visa case, unknowns included.
VISA_CASES = [
    ("yes", "no"), ("yes", "yes"), ("yes", "unknown"), ("no", "yes"), ("no", "no"),
    ("unknown", "unknown"), ("yes", "no"), ("yes", "yes"),
]

MISSION_NOTES = {
    "global_health": "Global health track with electives abroad.",
    "underserved": "Continuity clinic in an underserved neighbourhood.",
    "immigrant_refugee": "Refugee clinic; many patients are recent immigrants.",
    "border": "Serves the US-Mexico border region.",
    "rural": "Rural rotations in critical-access hospitals.",
    "spanish": "Most clinic patients speak Spanish.",
}

SEASON_OPENS = dt.date(2026, 9, 24)

# The specialties an IMG's list is made of (the catalogue holds every specialty of the Match).
DEMO_SPECIALTIES = ["internal_medicine", "family_medicine", "pediatrics", "psychiatry", "med_peds", "neurology",
                    "pathology", "transitional_year", "other"]


def _choice_values(key: str) -> list[str]:
    return [c.value for c in fields.get(key).choices]


def demo_programs() -> Iterator[dict[str, Any]]:
    specialties = cycle(DEMO_SPECIALTIES)
    settings = cycle(_choice_values("setting"))
    visas = cycle(VISA_CASES)
    statuses = cycle(_choice_values("status"))
    email_statuses = cycle(_choice_values("email_status"))
    tracks = cycle(["categorical"] * 3 + ["preliminary", "primary_care", "advanced", "reserved", "other"])
    tags = _choice_values("mission_tags")
    usce = cycle(_choice_values("usce_required"))
    step1 = cycle(["pass", "none stated", "pass", "220", None])
    step2 = cycle([None, 220, 230, None, 215, 240, None, 225, 210])
    attempts = cycle([None, 2, 1, None, 3])
    yog = cycle([None, 5, 3, 10, None, 7])
    img_share = cycle([62, 35, None, 80, 5, 48, 0, 90, 22, 55])

    for i, (city, state) in enumerate(PLACES):
        specialty = next(specialties)
        setting = next(settings)
        j1, h1b = next(visas)
        status = next(statuses)
        share = next(img_share)
        code = f"{1400000000 + i * 7919:010d}"
        specialty_label = fields.get("specialty").label_for(specialty)
        mission = [tags[i % len(tags)]] + ([tags[(i * 5 + 2) % len(tags)]] if i % 3 == 0 else [])
        mission = sorted(set(mission), key=tags.index)
        program: dict[str, Any] = {
            "name": f"{HOSPITAL[setting].format(city=city)} Program ({specialty_label})",
            "specialty": specialty,
            "track": next(tracks),
            "program_code": code if i % 9 != 8 else None,  # a few without a known code
            "city": city,
            "state": state,
            "setting": setting,
            "mission_tags": mission if i % 4 != 3 else [],
            "positions": 4 + (i * 7) % 30,
            "website": f"https://www.{city.lower().replace(' ', '')}-gme.example.org/residency",
            "contact_email": f"gme.coordinator@{city.lower().replace(' ', '')}-health.example.org",
            "visa_j1": j1,
            "visa_h1b": h1b,
            "img_percent": share,
            "non_us_img_count": None if share is None else round((share or 0) / 100 * 24 * 0.6),
            "img_origins": ["South Asia, Middle East", "Latin America", "", "Africa, South Asia",
                            "Eastern Europe", "Caribbean"][i % 6] or None,
            "step1_requirement": next(step1),
            "step2_min": next(step2),
            "max_attempts": next(attempts),
            "yog_limit_years": next(yog),
            "usce_required": next(usce),
            "mission_notes": " ".join(MISSION_NOTES[t] for t in mission) if i % 4 != 3 else None,
            "notes": "Alumnus from my school is a PGY-2 here." if i % 7 == 0 else None,
            "status": status,
            "email_status": next(email_statuses),
            "signal_sent": "gold" if i % 6 == 0 else "none",
            "ties": [t for t, on in (("rotated", i % 11 == 2), ("alumni", i % 7 == 0)) if on],
        }
        step = fields.get("status").choice(status)
        if fields.reaches(step, "applied"):
            program["date_applied"] = SEASON_OPENS + dt.timedelta(days=i % 5)
        # an interview date once it is scheduled, and for a waitlist (a rejection is left without one)
        if fields.reaches(step, "scheduled") or (step.maybe_interviewed and not step.closed):
            program["interview_date"] = dt.datetime(2026, 11, 2, 9, 0) + dt.timedelta(days=(i * 3) % 60)
        if fields.reaches(step, "interviewed"):
            program["thank_you_sent"] = program["interview_date"].date() + dt.timedelta(days=1)
        if fields.reaches(step, "ranked"):
            program["rank"] = 1 + i % 12
        if i == 9:
            program["loi_sent"] = dt.date(2026, 12, 1)
        yield program
