"""The program form, built from the catalogue. Validation is the catalogue's (through
changes.update_program); WTForms brings rendering, CSRF and the labels."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field as WTField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice

from . import fields
from .fields import Kind

# Dates are text, as in the grid: the field reads "Oct 1" or 10/1/2026 and the hint says how.
INPUT_WIDGETS = {
    Kind.URL: widgets.URLInput(),
    Kind.EMAIL: widgets.EmailInput(),
}


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _form_field(f: fields.Field) -> WTField:
    options = {"label": f.label, "description": f.accepts}
    if f.kind in (Kind.CHOICE, Kind.TRI):
        empty = [] if f.kind is Kind.TRI or f.default else [SelectChoice("", f.empty_label)]
        choices = empty + [SelectChoice(c.value, c.label) for c in f.options]
        return SelectField(choices=choices, validate_choice=False, **options)
    if f.kind is Kind.TAGS:
        choices = [SelectChoice(c.value, c.label) for c in f.choices]
        return CheckboxList(choices=choices, validate_choice=False, **options)
    if f.kind is Kind.LONG_TEXT:
        return TextAreaField(**options)
    render_kw = {"inputmode": f.inputmode} if f.inputmode else None
    return StringField(widget=INPUT_WIDGETS.get(f.kind, widgets.TextInput()), render_kw=render_kw, **options)


class _ProgramFormBase(FlaskForm):
    version = HiddenField()


@cache
def program_form_class() -> type[FlaskForm]:
    attrs = {f.key: _form_field(f) for f in fields.FIELDS}
    return type("ProgramForm", (_ProgramFormBase,), attrs)


def form_data(program: Any | None) -> dict[str, Any]:
    """Initial form values: what the editors show for a stored program (or the defaults)."""
    data: dict[str, Any] = {}
    stored = fields.defaults() if program is None else {f.key: getattr(program, f.key) for f in fields.FIELDS}
    for f in fields.FIELDS:
        value = stored.get(f.key)
        data[f.key] = value if f.kind in (Kind.TAGS, Kind.CHOICE, Kind.TRI) else f.input_value(value)
    if program is not None:
        data["version"] = program.version
    return data


def submitted_values(form: FlaskForm) -> dict[str, Any]:
    return {f.key: form[f.key].data for f in fields.FIELDS}
