"""What to do today. (being written)"""

from flask import Blueprint

bp = Blueprint("today", __name__)
