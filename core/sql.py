"""Hot-path reads written once as SQL, with their values converted exactly as the ORM converts them.

Building a query with the ORM costs more CPU than running it: on an e-auction offer, compiling the token's user
and the locked auction row took longer than PostgreSQL took to answer them (docs/benchmarks.md). Where a read
runs on every request, it is written once from the models' metadata (table and column names, never literals) and
its values pass through the converters the ORM itself would apply (SQLite's datetimes, decimals and booleans, for
example), so that the model built from them is the model the ORM would have built.
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
