"""The Peewee models and the migrated schema agree, table by table, on both engines."""

from __future__ import annotations

from shop.db import database
from shop.models import ALL_MODELS


def test_every_model_table_exists_after_migrations(db) -> None:
    tables = set(database.get_tables())
    missing = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in tables]
    assert missing == [], f"models without a table (add a migration): {missing}"


def test_model_columns_match_migrated_columns(db) -> None:
    problems = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        actual = {c.name: c for c in database.get_columns(table)}
        declared = {f.column_name: f for f in model._meta.sorted_fields}
        for name in sorted(declared.keys() - actual.keys()):
            problems.append(f"{table}.{name}: in the model, not in the schema")
        for name in sorted(actual.keys() - declared.keys()):
            problems.append(f"{table}.{name}: in the schema, not in the model")
        for name in sorted(declared.keys() & actual.keys()):
            field, column = declared[name], actual[name]
            if column.primary_key:
                continue
            if field.null and not column.null:
                problems.append(f"{table}.{name}: model allows NULL, the column is NOT NULL")
            if not field.null and column.null:
                problems.append(f"{table}.{name}: model says NOT NULL, the column allows NULL")
    assert problems == [], "\n".join(problems)


def test_model_foreign_keys_exist_in_the_schema(db) -> None:
    problems = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        actual = {(fk.column, fk.dest_table) for fk in database.get_foreign_keys(table)}
        for field in model._meta.refs:
            pair = (field.column_name, field.rel_model._meta.table_name)
            if pair not in actual:
                problems.append(f"{table}.{field.column_name} -> {pair[1]}: no FOREIGN KEY in the schema")
    assert problems == [], "\n".join(problems)
