"""The cell save's statements on the driver's cursor (tracker.prepared), on PostgreSQL: psycopg's
parameters and the values it returns, read and answered as SQLAlchemy reads them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_prepared import (  # noqa: E402,F401  (tests/test_prepared.py, run here on this directory's app)
    demo_ids,
    test_a_prepared_read_gives_every_column_as_sqlalchemy_reads_it,
    test_a_refused_statement_raises_as_sqlalchemy_raises_it_and_writes_nothing,
    test_every_field_saved_answers_with_the_row_as_it_is_stored,
)
