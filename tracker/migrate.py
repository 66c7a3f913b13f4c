"""Flask-Migrate, with migrations kept inside the package so an installed copy has them."""

from flask_migrate import Migrate

migrate = Migrate()
