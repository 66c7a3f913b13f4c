"""The season's calendar as iCalendar: a download and a private feed. (being written)"""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
