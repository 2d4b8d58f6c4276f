"""Hot-path reads and writes written once as SQL, with their values converted exactly as the ORM converts them.

Building a query with the ORM costs more CPU than running it: on an e-auction offer, compiling the token's user
and the locked auction row took longer than PostgreSQL took to answer them (docs/benchmarks.md). Where a read
runs on every request, it is written once from the models' metadata (table and column names, never literals) and
its values pass through the converters the ORM itself would apply (SQLite's datetimes, decimals and booleans, for
example), so that the model built from them is the model the ORM would have built.

The writes of an accepted offer (the offer, the auction's new best, the ledger's entry and head) are written the
same way (`ModelWrite`): they run under the auction's row lock, where each millisecond the ORM spends compiling
is waited for by every bidder queued behind the lock.
"""

from django.db import connection


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


class ModelRow:
    """The named fields of `model` (and its primary key) as columns of a SELECT (`columns`), and instances built
    from such rows (`build`); the other fields are deferred (read on first access, as with `.only()`)."""

    def __init__(self, model, names):
        position = {field: n for n, field in enumerate(model._meta.concrete_fields)}
        # The primary key is always read, as with .only(); Model.from_db takes the values in the fields' order.
        fields = {model._meta.pk, *(model._meta.get_field(name) for name in names)}
        self.model = model
        self.fields = sorted(fields, key=position.__getitem__)
        self.attnames = tuple(field.attname for field in self.fields)
        self._converters = None

    def __len__(self) -> int:
        return len(self.fields)

    def columns(self, alias: str) -> list[str]:
        return [f"{alias}.{quote(field.column)}" for field in self.fields]

    def convert(self, values) -> list:
        if self._converters is None:  # built whole, then published: threads share a ModelRow
            found = []
            for field in self.fields:
                expression = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                found.append((converters, expression))
            self._converters = found
        converted = []
        for value, (converters, expression) in zip(values, self._converters, strict=True):
            for converter in converters:
                value = converter(value, expression, connection)
            converted.append(value)
        return converted

    def build(self, values):
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))


class ModelWrite:
    """An INSERT of the named fields (returning the new primary key) and an UPDATE of them by primary key, each
    written once from `model`'s metadata, with the values prepared by the fields themselves as the ORM prepares
    them for a save (`get_db_prep_save`). As with `QuerySet.update()`, no `save()`, signal or `auto_now` runs."""

    def __init__(self, model, names):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in names]
        self._insert = self._update = None

    def _prepared(self, values) -> list:
        return [
            field.get_db_prep_save(value, connection) for field, value in zip(self.fields, list(values), strict=True)
        ]

    def insert(self, instance):
        """Insert `instance` (a new, unsaved model instance: its named fields are written) and return it saved:
        its primary key set and its state that of a row read from the database, as `Model.save()` leaves it."""
        meta = self.model._meta
        if self._insert is None:
            columns = ", ".join(quote(field.column) for field in self.fields)
            marks = ", ".join(["%s"] * len(self.fields))
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
            if connection.features.can_return_columns_from_insert:
                sql += f" RETURNING {quote(meta.pk.column)}"
            self._insert = sql
        with connection.cursor() as cursor:
            cursor.execute(self._insert, self._prepared(getattr(instance, field.attname) for field in self.fields))
            if connection.features.can_return_columns_from_insert:
                instance.pk = cursor.fetchone()[0]
            else:
                instance.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        instance._state.adding, instance._state.db = False, connection.alias
        return instance

    def update(self, pk, *values) -> int:
        """Set these values (in the order of the names) on the row with this primary key; return the rows changed."""
        meta = self.model._meta
        if self._update is None:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in self.fields)
            self._update = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        with connection.cursor() as cursor:
            cursor.execute(self._update, [*self._prepared(values), meta.pk.get_db_prep_value(pk, connection)])
            return cursor.rowcount
