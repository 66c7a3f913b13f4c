"""Core statements compiled once per database and run on the driver's own cursor.

A cell save is four short statements (read the row, update it, log the change, read the cell's
mentor marks). SQLAlchemy's execution of each (its execution context, parameter and result
objects) cost several times what SQLite took to run it: 0.25 ms of a save, beside 0.03 ms for
the statements themselves (issue #20). A ``Prepared`` statement is still written in Core, and its
parameters and results are still converted by its columns' own types (``bind_processor`` and
``result_processor``), so a value reads and writes as it does through the ORM. It runs inside
the session's transaction, on the driver connection under the session's connection: the
transaction, its locks and its commit stay the session's (tracker.db.write_transaction).

Only plain statements: no expanding ``IN``, no statement caching options, no ORM entities."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]


class _Compiled:
    """A statement as one dialect runs it: its SQL text, how its parameters are laid out and
    converted, and how each column of its result is read."""

    def __init__(self, statement: sa.Executable, dialect: Dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        # binds with values of their own (``version + 1``'s 1); the others are given when it runs
        self.defaults = {name: bind.effective_value for bind, name in compiled.bind_names.items() if not bind.required}
        self.order: Sequence[str] | None = list(compiled.positiontup) if compiled.positional else None
        self.bind: dict[str, Processor] = {}
        for bind, name in compiled.bind_names.items():
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None:
                self.bind[name] = processor
        self.dialect = dialect
        self.columns = list(getattr(statement, "selected_columns", ()))
        self.keys = [column.key for column in self.columns]
        self.result: list[Processor | None] | None = None  # from the first result's column types
        self.converted: list[tuple[int, Processor]] = []  # the columns whose values are converted
        self.stored: dict[str, tuple[Processor | None, Processor | None]] = {}

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = {**self.defaults, **given}
        for name, processor in self.bind.items():
            values[name] = processor(values[name])
        return values if self.order is None else [values[name] for name in self.order]

    def learn(self, description) -> None:
        """How to read each column, from the driver's type of it (PostgreSQL's numbers need it)."""
        if self.result is None:
            self.result = [column.type.dialect_impl(self.dialect).result_processor(self.dialect, described[1])
                           for column, described in zip(self.columns, description)]
            self.converted = [(i, processor) for i, processor in enumerate(self.result) if processor is not None]

    def row(self, raw: Sequence[Any]) -> tuple:
        if not self.converted:  # most columns need nothing: only those that do are visited
            return tuple(raw)
        values = list(raw)
        for i, processor in self.converted:
            if values[i] is not None:
                values[i] = processor(values[i])
        return tuple(values)

    def as_read(self, key: str, value: Any) -> Any:
        processors = self.stored.get(key)
        if processors is None:
            if self.result is None:
                raise RuntimeError("as_read needs the statement to have been read once")
            i = self.keys.index(key)
            bind = self.columns[i].type.dialect_impl(self.dialect).bind_processor(self.dialect)
            processors = self.stored[key] = (bind, self.result[i])
        if value is None:
            return None
        bind, result = processors
        value = bind(value) if bind else value
        return result(value) if result else value


class Prepared:
    """``statement`` run with ``execute`` (a write: its row count), ``executemany`` (a write for
    each set of parameters) or ``rows`` / ``first`` (a select: its rows as tuples in the
    statement's column order, ``keys`` their names)."""

    def __init__(self, statement: sa.Executable):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, connection: sa.Connection) -> _Compiled:
        dialect = connection.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def _run(self, connection: sa.Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
             many: bool = False):
        compiled = self._compiled(connection)
        cursor = connection.connection.cursor()
        if many:
            parameters = [compiled.parameters(one) for one in params]
        else:
            parameters = compiled.parameters(params)
        driver_error = connection.dialect.loaded_dbapi.Error
        try:
            (cursor.executemany if many else cursor.execute)(compiled.sql, parameters)
        except driver_error as exc:  # as SQLAlchemy raises it (OperationalError: the disk is full, ...)
            cursor.close()
            raise sa.exc.DBAPIError.instance(compiled.sql, parameters, exc, driver_error,
                                             dialect=connection.dialect) from exc
        if compiled.columns and cursor.description:
            compiled.learn(cursor.description)
        return compiled, cursor

    def keys(self, connection: sa.Connection) -> list[str]:
        return self._compiled(connection).keys

    def as_read(self, connection: sa.Connection, key: str, value: Any) -> Any:
        """``value`` written to the column ``key`` of this select, as the select reads it back (a
        datetime without its zone on SQLite, say): what a save's answer draws, without reading
        the row again. The statement must have been read once on this database."""
        return self._compiled(connection).as_read(key, value)

    def execute(self, connection: sa.Connection, params: Mapping[str, Any]) -> int:
        """Run a write; the number of rows it matched."""
        _, cursor = self._run(connection, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()

    def executemany(self, connection: sa.Connection, params: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once for each set of parameters, in one call of the driver."""
        _, cursor = self._run(connection, params, many=True)
        cursor.close()

    def rows(self, connection: sa.Connection, params: Mapping[str, Any]) -> list[tuple]:
        compiled, cursor = self._run(connection, params)
        try:
            return [compiled.row(raw) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, connection: sa.Connection, params: Mapping[str, Any]) -> tuple | None:
        compiled, cursor = self._run(connection, params)
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        return None if raw is None else compiled.row(raw)
