"""Which programs a view shows (the grid, an export): the filters in its query string, the
rows from the database, and the summary an export carries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from . import fields, regions
from .db import db
from .exporting import Summary
from .guidance import specialty_progress
from .models import Program
from .rules import TIERS
from .store import current_profile, current_rules, live_programs, live_programs_select
from .tiering import effective_tier
from .tiers import effective_tier_column

# Not eligible programs are hidden until the user asks to see them.
DEFAULT_TIERS = tuple(t for t in TIERS if t != "not_eligible")


def shown_tiers(args: Any) -> tuple[str, ...]:
    """The tiers a view shows, from its query string (?tier=likely&tier=reach, ?tier=all)."""
    asked = args.getlist("tier") if hasattr(args, "getlist") else args.get("tier", [])
    if not asked:
        return DEFAULT_TIERS
    return tuple(t for t in TIERS if t in asked or "all" in asked)


def shown_columns(args: Any) -> list[fields.Field]:
    """The catalogue columns a view shows (?col=name&col=state...); all when none are named."""
    asked = args.getlist("col") if hasattr(args, "getlist") else args.get("col", [])
    chosen = [f for f in fields.FIELDS if f.key in asked]
    return chosen or list(fields.FIELDS)


FILTERABLE = tuple(f for f in fields.FIELDS if f.kind in (fields.Kind.CHOICE, fields.Kind.TRI))
PAGE_SIZE = 1000  # rows a grid page shows; an export takes every row
MAX_PAGE = 100_000  # more pages than any list has (a hundred million rows), fewer than SQLite can offset


def read_page(text: Any) -> int | None:
    """A page number from a query string: a whole number from 1 to MAX_PAGE, else None."""
    text = str(text or "").strip()
    if not text.isdigit() or len(text) > len(str(MAX_PAGE)) or not 1 <= int(text) <= MAX_PAGE:
        return None
    return int(text)


# Views every tracker has (a saved view is the same thing with the user's own name).
BUILT_IN_VIEWS = (
    ("To research", "unknown=1&f.status=researching&f.status=will_apply"),
    ("Likely or Possible, not applied", "tier=likely&tier=possible&f.status=researching&f.status=will_apply"),
    ("Interviews", "tier=all&f.status=interview_invited&f.status=interview_scheduled&f.status=interviewed"
                   "&sort=interview_date"),
    ("Not eligible", "tier=not_eligible"),
    ("SOAP list", "tier=all&f.soap_list=yes"),
)
ROW_COLOURS = ("tier", "status", "none")


def _list(args: Any, key: str) -> list[str]:
    if hasattr(args, "getlist"):
        return [v for v in args.getlist(key) if v != ""]
    value = args.get(key, [])
    return [v for v in (value if isinstance(value, list) else [value]) if v != ""]


@dataclass
class View:
    """What a grid view shows, read from (and written back to) its query string: tiers, a
    search, filters on choice columns (f.status=applied), unknown data only, a sort of one or
    more keys (sort=state,-img_percent), the visible columns and the page."""

    tiers: tuple[str, ...] = DEFAULT_TIERS
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    unknown: bool = False
    geo: bool = False  # only the programs in the census divisions of the profile's geographic preference
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (key, descending)
    columns: list[str] = field(default_factory=list)  # empty: every column
    page: int = 1
    explicit_tiers: list[str] = field(default_factory=list)
    colour: str = "tier"  # rows coloured by tier, by status, or not at all

    @classmethod
    def from_args(cls, args: Any) -> View:
        filters = {}
        for f in FILTERABLE:
            allowed = {c.value for c in f.options}
            chosen = [v for v in _list(args, f"f.{f.key}") if v in allowed]
            if chosen:
                filters[f.key] = chosen
        sort = []
        for part in (args.get("sort") or "").split(","):
            key = part.strip().lstrip("-")
            if key in fields.BY_KEY and key not in {k for k, _ in sort}:
                sort.append((key, part.strip().startswith("-")))
        page = read_page(args.get("page")) or 1
        return cls(tiers=shown_tiers(args), q=(args.get("q") or "").strip()[:100], filters=filters,
                   unknown=args.get("unknown") in ("1", "on", "yes"), sort=sort,
                   geo=args.get("geo") in ("1", "on", "yes"),
                   columns=[f.key for f in shown_columns(args)] if _list(args, "col") else [],
                   page=page, explicit_tiers=_list(args, "tier"),
                   colour=args.get("colour") if args.get("colour") in ROW_COLOURS else "tier")

    def args(self, **changes: Any) -> list[tuple[str, str]]:
        """The query string pairs of this view, with ``changes`` (tier, q, sort, page, ...)."""
        state = {"tier": self.explicit_tiers, "q": self.q, "unknown": "1" if self.unknown else "",
                 "geo": "1" if self.geo else "",
                 "sort": self.sort_param, "col": self.columns,
                 "page": str(self.page) if self.page > 1 else "",
                 "colour": self.colour if self.colour != "tier" else "",
                 **{f"f.{k}": v for k, v in self.filters.items()}}
        state.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in state.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.append((key, str(item)))
        return pairs

    def url(self, path: str, **changes: Any) -> str:
        pairs = self.args(**changes)
        return path + ("?" + urlencode(pairs) if pairs else "")

    @property
    def sort_param(self) -> str:
        return ",".join(("-" if d else "") + k for k, d in self.sort)

    def sort_url(self, path: str, key: str, add: bool = False) -> str:
        """Sort by ``key`` (again: the other way); with ``add``, as one more key after the others."""
        current = dict(self.sort)
        if add:
            keys = [(k, d) for k, d in self.sort if k != key] + [(key, not current.get(key, True))]
        else:
            keys = [(key, not current[key] if key in current and self.sort[0][0] == key else False)]
        return self.url(path, sort=",".join(("-" if d else "") + k for k, d in keys), page="")

    def sorted_by(self, key: str) -> str | None:
        for i, (k, descending) in enumerate(self.sort):
            if k == key:
                return ("descending" if descending else "ascending") if i == 0 else "other"
        return None

    @property
    def query(self) -> str:
        """The query string that brings this view back (a saved view stores it)."""
        return urlencode(self.args(page=""))

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters or self.unknown or self.geo or self.explicit_tiers)

    @property
    def visible_columns(self) -> list[fields.Field]:
        return [f for f in fields.FIELDS if not self.columns or f.key in self.columns or f.key == "name"]


def _order_by(key: str, descending: bool):
    f = fields.BY_KEY[key]
    column = effective_tier_column() if key == "tier_override" else Program.__table__.c[key]
    if key == "tier_override":
        expression = sa.case({t: i for i, t in enumerate(TIERS)}, value=column, else_=len(TIERS))
    elif f.kind in (fields.Kind.CHOICE, fields.Kind.TRI):
        # choices sort in the catalogue's order (the pipeline for status), not alphabetically
        expression = sa.case({c.value: i for i, c in enumerate(f.options)}, value=column, else_=len(f.options))
    else:
        expression = column
    return [column.is_(None), expression.desc() if descending else expression.asc()]  # empty last


def query_view(view: View, *, paged: bool = True) -> tuple[list[Program], int]:
    """The programs a view shows (one page of them, unless ``paged`` is false) and how many match."""
    query = live_programs_select()
    tier = effective_tier_column()
    query = query.where(tier.in_(list(view.tiers)) | tier.is_(None))
    if view.q:
        pattern = "%" + view.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*[Program.__table__.c[k].ilike(pattern, escape="\\") for k in fields.SEARCHED]))
    for key, values in view.filters.items():
        query = query.where(Program.__table__.c[key].in_(values))
    if view.unknown:  # what tiering can't judge: the visa the applicant needs, IMG presence, setting
        profile = current_profile()
        keys = fields.sponsorship_fields(profile.visa_needed if profile else None)
        query = query.where(sa.or_(*[Program.__table__.c[key] == "unknown" for key in keys],
                                   sa.and_(Program.img_percent.is_(None), Program.non_us_img_count.is_(None)),
                                   Program.setting.is_(None)))
    if view.geo:
        profile = current_profile()
        query = query.where(Program.state.in_(regions.division_states(profile.geo_divisions if profile else [])))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    order = [part for key, descending in view.sort for part in _order_by(key, descending)]
    query = query.order_by(*order, Program.name, Program.id)
    if paged:
        query = query.limit(PAGE_SIZE).offset((view.page - 1) * PAGE_SIZE)
    return list(db.session.scalars(query)), total


def export_summary(rows: list[Program]) -> Summary:
    """The Summary sheet of an export: the profile, the exported rows by tier, status, specialty
    and setting, and each target specialty's applications as the dashboard counts them."""
    profile = current_profile()
    lines: list[tuple[str, str]] = []
    if profile is not None:
        specialty = fields.get("specialty")
        lines = [
            *([("Name", profile.full_name)] if profile.full_name else []),
            ("Visa needed", fields.visa_label(profile.visa_needed, profile.visa_preference) or "not set"),
            ("Step 1", profile.step1 or "not set"),
            ("Step 2 CK", str(profile.step2_ck) if profile.step2_ck else "not set"),
            ("Attempts (Step 1 / Step 2 CK)", f"{profile.step1_attempts or '?'} / {profile.step2_attempts or '?'}"),
            ("Step 3", (f"{profile.step3}" + (f" ({profile.step3_attempts} attempts)" if (profile.step3_attempts or 1) > 1
                                               else "")) if profile.step3 else "not taken"),
            ("Graduated", str(profile.graduation_year or "not set")),
            ("Match year", str(profile.season_year or "not set")),
            ("US clinical experience (months)", str(profile.usce_months if profile.usce_months is not None else "?")),
            ("Target specialties", ", ".join(specialty.label_for(s) for s in profile.target_specialties) or "not set"),
        ]
    by_tier = Counter({t: 0 for t in TIERS})
    by_tier.update(effective_tier(p) for p in rows if effective_tier(p))
    # the dashboard's numbers: the programs on the list among the whole list, not the exported rows only
    targets = [(row.label, row.advised, row.total)
               for row in specialty_progress(live_programs(), profile, current_rules()) if row.target is not None]
    return Summary(
        profile_lines=lines,
        by_tier=dict(by_tier),
        by_status=dict(Counter(p.status for p in rows).most_common()),
        by_specialty=dict(Counter(p.specialty for p in rows).most_common()),
        by_setting=dict(Counter(p.setting for p in rows).most_common()),
        targets=targets,
        applicant=(profile.full_name or "") if profile is not None else "",
    )


