"""Where a program is: its state's census region, and whether it is in one of the few big
coastal cities DOMAIN.md advises not to lean on. Pure data and two small functions.

"Big coastal" is decided by city, not by state: a state-wide rule would count Fresno and
Bakersfield (California's Central Valley) or Buffalo and Rochester (upstate New York) as big
coastal cities, and those are among the places an IMG is advised to favour. A program whose
city is not recorded counts in its state's region.
"""

from __future__ import annotations

import re

# US Census Bureau regions (DC is in the South). Puerto Rico is in none of them.
CENSUS_REGIONS: dict[str, tuple[str, ...]] = {
    "northeast": ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"),
    "midwest": ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "south": ("DE", "FL", "GA", "MD", "NC", "SC", "VA", "DC", "WV", "AL", "KY", "MS", "TN", "AR", "LA",
              "OK", "TX"),
    "west": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"),
}
REGION_OF_STATE: dict[str, str] = {state: region for region, states in CENSUS_REGIONS.items() for state in states}

# The nine US Census divisions, the units of ERAS's geographic preference (an applicant names up
# to three; programs in them see it): key -> (the name shown, its states). Each lies in one region.
CENSUS_DIVISIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "new_england": ("New England", ("CT", "ME", "MA", "NH", "RI", "VT")),
    "middle_atlantic": ("Middle Atlantic", ("NJ", "NY", "PA")),
    "east_north_central": ("East North Central", ("IL", "IN", "MI", "OH", "WI")),
    "west_north_central": ("West North Central", ("IA", "KS", "MN", "MO", "NE", "ND", "SD")),
    "south_atlantic": ("South Atlantic", ("DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV")),
    "east_south_central": ("East South Central", ("AL", "KY", "MS", "TN")),
    "west_south_central": ("West South Central", ("AR", "LA", "OK", "TX")),
    "mountain": ("Mountain", ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY")),
    "pacific": ("Pacific", ("AK", "CA", "HI", "OR", "WA")),
}
DIVISION_OF_STATE: dict[str, str] = {state: key for key, (_, states) in CENSUS_DIVISIONS.items() for state in states}
DIVISION_LABELS: dict[str, str] = {key: label for key, (label, _) in CENSUS_DIVISIONS.items()}
# The setting ERAS's geographic preference lets an applicant name beside the divisions.
SETTING_PREFERENCES: tuple[tuple[str, str], ...] = (("urban", "Urban"), ("suburban", "Suburban"), ("rural", "Rural"))

# The big coastal cities, by state: (the name shown, the city spellings that belong to it).
# An empty tuple of spellings means the whole state (the District of Columbia).
BIG_COASTAL_CITIES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "NY": (("New York City", ("new york", "new york city", "nyc", "manhattan", "bronx", "the bronx", "brooklyn",
                              "queens", "staten island", "flushing", "jamaica", "elmhurst", "long island city",
                              "harlem", "far rockaway")),),
    "NJ": (("New York City", ("newark", "jersey city", "hoboken")),),
    "MA": (("Boston", ("boston", "cambridge", "brookline", "somerville")),),
    "PA": (("Philadelphia", ("philadelphia",)),),
    "DC": (("Washington, DC", ()),),
    "FL": (("Miami", ("miami", "miami beach")),),
    "CA": (("Los Angeles", ("los angeles", "santa monica", "torrance", "long beach", "pasadena", "sylmar")),
           ("San Francisco Bay Area", ("san francisco", "oakland", "berkeley", "san jose", "palo alto",
                                       "stanford")),
           ("San Diego", ("san diego", "la jolla"))),
    "WA": (("Seattle", ("seattle",)),),
}

# The groups the dashboard's regional spread shows, in order, with whether DOMAIN.md favours them.
SPREAD_GROUPS: tuple[tuple[str, str, str], ...] = (
    # (key, label, stance): stance is "favoured", "neutral", "coastal" or "unknown"
    ("midwest", "Midwest", "favoured"),
    ("south", "South", "favoured"),
    ("northeast", "Northeast, outside the big coastal cities", "favoured"),
    ("west", "West, outside the big coastal cities", "neutral"),
    ("big_coastal", "Big coastal cities", "coastal"),
    ("other", "Puerto Rico", "neutral"),
    ("unknown", "State not set", "unknown"),
)
SPREAD_LABELS = {key: label for key, label, _ in SPREAD_GROUPS}
SHORT_LABELS = {**SPREAD_LABELS, "northeast": "Rest of the Northeast", "west": "Rest of the West"}  # for charts
FAVOURED = tuple(key for key, _, stance in SPREAD_GROUPS if stance == "favoured")


def _norm(city: str | None) -> str:
    return re.sub(r"[^a-z]+", " ", (city or "").lower()).strip()


def region(state: str | None) -> str | None:
    """The census region of a two-letter state code ("northeast", ...); "other" for Puerto
    Rico; None when the state is not set or not known."""
    if not state:
        return None
    state = state.strip().upper()
    if state in REGION_OF_STATE:
        return REGION_OF_STATE[state]
    return "other" if state == "PR" else None


def big_coastal_city(state: str | None, city: str | None) -> str | None:
    """The big coastal city a program is in ("New York City"), or None."""
    if not state:
        return None
    name = _norm(city)
    for label, spellings in BIG_COASTAL_CITIES.get(state.strip().upper(), ()):
        if not spellings or name in spellings:
            return label
    return None


def spread_group(state: str | None, city: str | None) -> str:
    """The regional-spread group of a program: a key of SPREAD_GROUPS."""
    if big_coastal_city(state, city):
        return "big_coastal"
    return region(state) or "unknown"


def big_coastal_names() -> list[str]:
    """The big coastal cities' names, each once, for the page's explanation."""
    names: list[str] = []
    for cities in BIG_COASTAL_CITIES.values():
        for label, _ in cities:
            if label not in names:
                names.append(label)
    return names


def division(state: str | None) -> str | None:
    """The census division of a two-letter state code ("south_atlantic"); None for Puerto Rico,
    an unknown state or none."""
    return DIVISION_OF_STATE.get((state or "").strip().upper())


def division_states(divisions: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The states of the named divisions, in the divisions' order (unknown keys are skipped)."""
    return tuple(state for key in divisions if key in CENSUS_DIVISIONS for state in CENSUS_DIVISIONS[key][1])


def states_named(text: str | None, state_names: dict[str, str]) -> set[str]:
    """The states a free text names ("Texas, Chicago IL, the Midwest"): two-letter codes written in
    capitals, state names (``state_names``: code -> name), census regions and divisions by name."""
    text = text or ""
    found = {code for code in re.findall(r"\b[A-Z]{2}\b", text) if code in REGION_OF_STATE or code == "PR"}
    words = f" {_norm(text)} "
    # longest names first, each taken out once read: "West Virginia" is neither Virginia nor the West
    for code, name in sorted(state_names.items(), key=lambda item: -len(item[1])):
        if f" {_norm(name)} " in words:
            found.add(code)
            words = words.replace(f" {_norm(name)} ", " ")
    for label, states in CENSUS_DIVISIONS.values():  # "South Atlantic" before "the South"
        if f" {_norm(label)} " in words:
            found.update(states)
            words = words.replace(f" {_norm(label)} ", " ")
    for region_key, states in CENSUS_REGIONS.items():
        if f" {region_key} " in words:
            found.update(states)
    return found
