"""The season dashboard: is the list right? How many applications against the advice, by tier;
the county / safety-net, visa and regional shares; what ERAS will charge; and the funnel.

The numbers come from tracker.guidance (pure); this module reads the programs, the profile and
the rules from the database, and turns the numbers into charts (tracker.charts)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template

from .. import charts, fields, guidance, regions, signals
from ..rules import TIER_LABELS, Rules
from ..store import current_profile, current_rules, demo_count, live_programs

bp = Blueprint("dashboard", __name__)

TIER_KEYS = ("likely", "possible", "reach", guidance.UNTIERED)
TIER_NAMES = {**TIER_LABELS, guidance.UNTIERED: guidance.UNTIERED_LABEL}
FULL, HALF = 760, 440  # chart widths (px) in a full-width card and in one of two side by side
STANCE_CLASS = {"favoured": "c-favoured", "neutral": "c-neutral", "coastal": "c-coastal", "unknown": "c-unknown"}


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{round(fraction * 100)}%"


def _progress_text(row: guidance.Progress) -> str:
    if row.target is None:
        return str(row.total)
    if row.target.high is None:
        return f"{row.total} of {row.target.low} eligible"
    return f"{row.total} of {row.target.low}–{row.target.high}"


def targets_chart(rows: list[guidance.Progress]):
    bars = []
    for row in rows:
        segments = tuple(charts.Segment(row.by_tier.get(t, 0), f"c-{t}", f"{TIER_NAMES[t]}: {row.by_tier.get(t, 0)}")
                         for t in TIER_KEYS if row.by_tier.get(t))
        band = None if row.target is None else (row.target.low, row.target.high)
        bars.append(charts.Bar(row.label, segments, _progress_text(row), band,
                               f"Advised: {row.advised}" if row.target else ""))
    said = "; ".join(f"{row.label} {row.total} on the list"
                     + (f", advised {row.advised}" if row.target else "")
                     + (" (" + ", ".join(f"{TIER_NAMES[t]} {row.by_tier[t]}" for t in TIER_KEYS
                                         if row.by_tier.get(t)) + ")" if row.total else "")
                     for row in rows)
    return charts.bar_chart(bars, label=f"Programs on the list by specialty and tier, against the advice: {said}.",
                            width=FULL, css="chart-targets")


def shares_chart(county: guidance.Share, visa: guidance.VisaShare, rules: Rules):
    low, high = rules.county_share_min, rules.county_share_max
    bars = [charts.bar("County / safety-net", (county.fraction or 0) * 100, "c-county",
                       f"{percent(county.fraction)} ({county.count} of {county.total})", (low, high),
                       f"Goal for a county-focused strategy: {low}–{high}%")]
    said = f"County and safety-net: {percent(county.fraction)} of the list, goal {low} to {high}%"
    if visa.applies and visa.total:
        parts = [("yes", visa.yes, "c-yes", "confirmed"), ("unknown", visa.unknown, "c-maybe", "unknown"),
                 ("no", visa.no, "c-no", "does not sponsor")]
        segments = tuple(charts.Segment(n / visa.total * 100, css, f"{visa.visa} {what}: {n} ({percent(n / visa.total)})")
                         for _, n, css, what in parts if n)
        bars.append(charts.Bar(f"{visa.visa} sponsorship", segments,
                               f"{percent(visa.confirmed.fraction)} confirmed"))
        said += (f"; {visa.visa} sponsorship confirmed by {percent(visa.confirmed.fraction)}, "
                 f"unknown for {percent(visa.unknown / visa.total)}")
    return charts.bar_chart(bars, label=said + ".", unit="%", scale_max=100, width=HALF, css="chart-shares")


def regions_chart(spread: guidance.Spread):
    rows = spread.rows()
    bars = [charts.bar(regions.SHORT_LABELS[key], n, STANCE_CLASS[stance],
                       f"{n} ({percent(n / spread.total if spread.total else None)})")
            for key, _, stance, n in rows]
    said = "; ".join(f"{label} {n}" for _, label, _, n in rows)
    return charts.bar_chart(bars, label=f"Programs on the list by region: {said}.", width=HALF,
                            css="chart-regions")


def funnel_chart(total: guidance.FunnelRow, stages: tuple[guidance.Stage, ...]):
    bars = []
    for i, stage in enumerate(stages):
        n = total.counts[stage.key]
        text = str(n) if i == 0 else f"{n} ({percent(total.rate(stage.key))} of applied)"
        bars.append(charts.bar(stage.label, n, f"c-stage-{stage.key}", text))
    said = ", ".join(f"{stage.label} {total.counts[stage.key]}" for stage in stages)
    return charts.bar_chart(bars, label=f"Application funnel: {said}.", width=FULL, css="chart-funnel")


@bp.get("/dashboard")
def index():
    profile, rules = current_profile(), current_rules()
    programs = live_programs()
    today = dt.date.today()
    listed = guidance.on_list(programs)
    progress = guidance.specialty_progress(programs, profile, rules)
    county = guidance.county_share(programs, rules)
    visa = guidance.visa_confirmed_share(programs, profile)
    spread = guidance.regional_spread(programs)
    cost = guidance.eras_cost(dict(guidance.count_by(listed, "specialty")), rules)
    by_tier = guidance.funnel(programs, "tier", today)
    by_setting = guidance.funnel(programs, "setting", today)
    advised_costs = [(row, guidance.eras_fee(row.target.low, rules),
                      None if row.target.high is None else guidance.eras_fee(row.target.high, rules))
                     for row in progress if row.target is not None]
    return render_template(
        "dashboard/index.html",
        profile=profile, rules=rules, programs=programs, listed=listed, demo_count=demo_count(),
        left_off=guidance.left_off_list(programs),
        on_list_definition=guidance.on_list_definition(),
        progress=progress, tier_names=TIER_NAMES,
        tier_keys=[t for t in TIER_KEYS if t != guidance.UNTIERED or any(r.by_tier.get(t) for r in progress)],
        backup_needed=guidance.needs_categorical_backup(profile),
        county=county, visa=visa, spread=spread, favoured=spread.favoured, coastal=spread.coastal,
        concentrated=guidance.concentrated_in_big_cities(spread.coastal.count, spread.total, rules),
        big_city_advice=guidance.BIG_CITY_ADVICE,
        geo=guidance.in_preferred_divisions(programs, profile),
        geo_labels=[regions.DIVISION_LABELS[d] for d in (profile.geo_divisions if profile else [])
                    if d in regions.DIVISION_LABELS],
        geo_setting=dict(regions.SETTING_PREFERENCES).get(profile.geo_setting) if profile else None,
        signal_usage=signals.usage(programs, rules, profile),
        big_cities=regions.big_coastal_names(), stance_class=STANCE_CLASS,
        cost=cost, fee_bands=guidance.fee_bands(0, rules), advised_costs=advised_costs,
        advised_total=guidance.targets_total([row.target for row in progress if row.target is not None], rules),
        by_tier=by_tier, by_setting=by_setting, funnel_note=guidance.FUNNEL_NOTE,
        county_labels=[fields.get("setting").label_for(s) for s in rules.county_settings],
        targets_svg=targets_chart(progress), shares_svg=shares_chart(county, visa, rules),
        regions_svg=regions_chart(spread), funnel_svg=funnel_chart(by_tier.total, by_tier.stages),
        percent=percent,
    )
