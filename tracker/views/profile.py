"""The applicant's profile and the tiering rules: both re-tier every program when saved."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import FloatField, SelectField, StringField, TextAreaField, ValidationError, widgets
from wtforms import IntegerField as _IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .. import fields, regions, rules
from ..db import db, write_transaction
from ..forms import CheckboxList
from ..models import Profile, RuleSet
from ..rules import TIER_LABELS, Rules
from ..store import current_profile, current_rule_set, current_rules, current_season_id
from ..tiers import retier_all

bp = Blueprint("profile", __name__)


class IntegerField(_IntegerField):
    """Typed into a text box: a number input would send "" for "abc" and clear the value."""

    widget = widgets.TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(*args, **kwargs)


from ..store import match_year  # noqa: E402  (the profile form offers it)


def _step1(form, field) -> None:
    text = (field.data or "").strip().lower()
    if not text:
        field.data = None
    elif text in ("pass", "passed", "p"):
        field.data = "pass"
    elif text in ("fail", "failed", "f"):
        field.data = "fail"
    elif re.fullmatch(r"\d{3}", text) and 150 <= int(text) <= 300:
        field.data = text
    else:
        raise ValidationError("Enter pass, fail, or a score from 150 to 300.")


def _count(label: str, high: int, description: str = "") -> IntegerField:
    return IntegerField(label, [Optional(), NumberRange(0, high)], description=description)


def _score(label: str, description: str = "") -> IntegerField:
    return IntegerField(label, [Optional(), NumberRange(150, 300, "Enter a score from 150 to 300.")],
                        description=description)


class ProfileForm(FlaskForm):
    full_name = StringField("Your name", [Length(max=120)],
                            description="Printed at the top of every page of the workbook you export for a mentor")
    visa_needed = SelectField("Visa you need", choices=[
        SelectChoice("", "—"), SelectChoice("J-1", "J-1"), SelectChoice("H-1B", "H-1B"),
        SelectChoice("either", "Either J-1 or H-1B"),
        SelectChoice("none", "None (US citizen or permanent resident)")])
    visa_preference = SelectField("If either: the one you prefer", choices=[
        SelectChoice("", "No preference"), SelectChoice("J-1", "J-1"), SelectChoice("H-1B", "H-1B")], default="")
    step1 = StringField("Step 1", [_step1], description="pass, fail, or an old numeric score")
    step1_attempts = IntegerField("Step 1 attempts", [Optional(), NumberRange(1, 6)])
    step2_ck = _score("Step 2 CK score")
    step2_attempts = IntegerField("Step 2 CK attempts", [Optional(), NumberRange(1, 6)])
    step3 = _score("Step 3 score", "Leave empty if you have not taken it; a score below the passing score is a "
                                   "failed attempt")
    step3_attempts = IntegerField("Step 3 attempts", [Optional(), NumberRange(1, 6)])
    ecfmg_certified = SelectField("ECFMG certificate", choices=[
        SelectChoice("", "—"), SelectChoice("yes", "I have it"),
        SelectChoice("by_ranking", "Expected by the rank-list deadline"),
        SelectChoice("later", "Not by the rank-list deadline")], default="")
    graduation_year = IntegerField("Year of graduation", [Optional(), NumberRange(1960, 2040)])
    season_year = IntegerField("Match year", [InputRequired("Enter the Match year, e.g. 2027."),
                                              NumberRange(2000, 2100)],
                               description="The March of the Match you are applying for")
    clinical_gap_months = _count("Longest gap in clinical work (months)", 600,
                                 "Months since graduation without clinical work (0 if none)")
    usce_months = _count("Months of hands-on USCE", 120)
    usce_inpatient_months = _count("Of which inpatient (months)", 120)
    observership_months = _count("Months of observerships", 120, "Observerships and tele-rotations, which count "
                                                                 "for less than hands-on months")
    us_letters = _count("US letters of recommendation", 10)
    languages = StringField("Languages", [Length(max=200)], description="e.g. Spanish, Arabic, Hindi")
    mission_experience = CheckboxList("Mission experience",
                                      choices=[SelectChoice(c.value, c.label) for c in fields.MISSION_EXPERIENCE],
                                      validate_choice=False)
    target_specialties = CheckboxList("Target specialties",
                                      choices=[SelectChoice(c.value, c.label) for c in fields.SPECIALTIES],
                                      validate_choice=False)
    backup_specialties = CheckboxList("Of these, backup specialties",
                                      choices=[SelectChoice(c.value, c.label) for c in fields.SPECIALTIES],
                                      validate_choice=False,
                                      description="A backup specialty gets a smaller number of applications "
                                                  "than your main ones")
    region_ties = StringField("Region ties", [Length(max=300)], description="States or cities where you have family, "
                                                                           "rotations or other ties")
    geo_divisions = CheckboxList("Census divisions you prefer",
                                 choices=[SelectChoice(key, label) for key, label in regions.DIVISION_LABELS.items()],
                                 description="ERAS's geographic preference: programs in these divisions see it")
    geo_setting = SelectField("Setting you prefer", choices=[SelectChoice("", "No preference")] + [
        SelectChoice(key, label) for key, label in regions.SETTING_PREFERENCES], default="")

    def validate_geo_divisions(self, field) -> None:
        most = current_rules().geographic_divisions_max
        if len(field.data or []) > most:
            raise ValidationError(f"ERAS takes at most {most} census divisions; you ticked {len(field.data)}. "
                                  "Untick the ones that matter least.")

    def validate_usce_inpatient_months(self, field) -> None:
        if field.data is not None and self.usce_months.data is not None and field.data > self.usce_months.data:
            raise ValidationError("Inpatient months are among the hands-on months: at most as many.")


PROFILE_KEYS = [name for name in ProfileForm.__dict__ if not name.startswith("_") and name != "Meta"
                and hasattr(ProfileForm.__dict__[name], "field_class")]

# Program signals: how many the applicant may send in each specialty (ERAS sets it each season).
SIGNAL_FIELDS = {f"signals_{c.value}": c.value for c in fields.SPECIALTIES}
for _name, _specialty in SIGNAL_FIELDS.items():
    setattr(ProfileForm, _name, IntegerField(fields.get("specialty").label_for(_specialty),
                                             [Optional(), NumberRange(0, 100)]))


def _summary(counts: Counter) -> str:
    return ", ".join(f"{label} {counts[tier]}" for tier, label in TIER_LABELS.items())


@bp.route("/profile", methods=["GET", "POST"])
def edit():
    if request.method == "POST":
        write_transaction()
    profile = current_profile()
    if request.method == "GET":
        data = {key: getattr(profile, key) for key in PROFILE_KEYS} if profile else {}
        limits = (profile.signal_limits or {}) if profile else {}
        data.update({name: limits.get(specialty) for name, specialty in SIGNAL_FIELDS.items()})
        data.setdefault("season_year", match_year(dt.date.today()))
        if data.get("season_year") is None:
            data["season_year"] = match_year(dt.date.today())
        form = ProfileForm(data=data)
        return render_template("profile/edit.html", form=form, rules=current_rules())
    form = ProfileForm()
    if not form.validate():
        return render_template("profile/edit.html", form=form, rules=current_rules()), 422
    if profile is None:
        profile = Profile()
        db.session.add(profile)
    if profile.season_id is None:
        profile.season_id = current_season_id()  # the profile is the current season's
    for key in PROFILE_KEYS:
        value = form[key].data
        setattr(profile, key, value if value != "" else None)
    if profile.visa_needed != "either":
        profile.visa_preference = None  # a preference between two visas only
    profile.mission_experience = [c.value for c in fields.MISSION_EXPERIENCE
                                  if c.value in (form.mission_experience.data or [])]
    # a backup is one of the target specialties; ticked alone it is not a target
    profile.backup_specialties = [s for s in (form.backup_specialties.data or [])
                                  if s in (profile.target_specialties or [])]
    profile.geo_divisions = [key for key in regions.CENSUS_DIVISIONS if key in (form.geo_divisions.data or [])]
    profile.signal_limits = {specialty: form[name].data for name, specialty in SIGNAL_FIELDS.items()
                             if form[name].data is not None}
    db.session.flush()
    counts = retier_all()
    db.session.commit()
    flash(f"Profile saved; every program was re-tiered: {_summary(counts)}.", "ok")
    return redirect(url_for("profile.edit"))


# -- the rules --------------------------------------------------------------------

def _choices(kind: str) -> list[SelectChoice]:
    if kind == "tier":
        return [SelectChoice(t, TIER_LABELS[t]) for t in rules.TIERS if t != "not_eligible"]
    return [SelectChoice(c.value, c.label) for c in fields.get(kind).choices]


class FeeBandsField(TextAreaField):
    """ERAS fee bands typed one a line, "from program 31: $30 each"; the data is the rule's list."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return rules.format_fee_bands(self.data or [])

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            try:
                self.data = rules.parse_fee_bands(valuelist[0])
            except ValueError:
                self.data = None
                raise

    def pre_validate(self, form) -> None:
        if not self.raw_data:
            self.data = None
            raise ValidationError("Enter at least one fee band, such as \"from program 1: $11 each\".")


class SignalCountsField(TextAreaField):
    """ERAS signal counts typed one specialty a line; the data is the rule's list."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return rules.format_signal_counts(self.data or [])

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            try:
                self.data = rules.parse_signal_counts(valuelist[0])
            except ValueError:
                self.data = None
                raise


@cache
def rules_form_class() -> type[FlaskForm]:
    attrs = {}
    for item in rules.describe():
        options = {"label": item["label"], "description": item["help"]}
        default = item["default"]
        if item.get("kind") == "fee_bands":
            attrs[item["name"]] = FeeBandsField(render_kw={"rows": 4}, **options)
        elif item.get("kind") == "signal_counts":
            attrs[item["name"]] = SignalCountsField(render_kw={"rows": 12}, **options)
        elif isinstance(default, list):
            attrs[item["name"]] = CheckboxList(choices=_choices(item["choices"]), validate_choice=False, **options)
        elif "choices" in item:
            attrs[item["name"]] = SelectField(choices=_choices(item["choices"]), **options)
        elif isinstance(default, str):
            attrs[item["name"]] = StringField(validators=[InputRequired(), Length(max=100)], **options)
        else:
            bounds = NumberRange(item.get("min"), item.get("max"))
            number = FloatField if isinstance(default, float) else IntegerField
            attrs[item["name"]] = number(validators=[InputRequired(), bounds], **options)
    return type("RulesForm", (FlaskForm,), attrs)


def default_text(item: dict) -> str:
    """A rule's default as the page shows it beside the rule: labels, not stored keys."""
    default = item["default"]
    if item.get("kind") == "fee_bands":
        return rules.format_fee_bands(default).replace("\n", "; ")
    if item.get("kind") == "signal_counts":
        return rules.format_signal_counts(default).replace("\n", "; ")
    if "choices" in item:
        labels = {c.value: c.label for c in _choices(item["choices"])}
        if isinstance(default, list):
            return ", ".join(labels.get(v, v) for v in default) or "none"
        return labels.get(default, default)
    return f"{default:g}" if isinstance(default, float) else str(default)


def _settings_page(form, status: int = 200):
    return render_template("profile/settings.html", form=form, groups=rules.grouped(),
                           defaults=Rules().as_dict(), default_text=default_text,
                           range_reading=rules.RANGE_READING), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form_class = rules_form_class()
    if request.method == "GET":
        return _settings_page(form_class(data=current_rules().as_dict()))
    write_transaction()
    if request.form.get("reset"):
        stored = current_rule_set()
        if stored is not None:
            db.session.delete(stored)
        db.session.flush()
        counts = retier_all()
        db.session.commit()
        flash(f"Rules reset to their defaults; every program was re-tiered: {_summary(counts)}.", "ok")
        return redirect(url_for("profile.settings"))
    form = form_class()
    if not form.validate():
        return _settings_page(form, 422)
    # only what differs from the defaults: a default a later version changes then reaches this rule set
    values = rules.changed_from_defaults({item["name"]: form[item["name"]].data for item in rules.describe()})
    stored = current_rule_set()
    if stored is None:
        stored = RuleSet(values=values)
        db.session.add(stored)
    else:
        stored.values = values
    db.session.flush()
    counts = retier_all()
    db.session.commit()
    flash(f"Rules saved; every program was re-tiered: {_summary(counts)}.", "ok")
    return redirect(url_for("profile.settings"))
