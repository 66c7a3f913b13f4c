"""The season dashboard: is the list right? (being written)"""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
