"""On PostgreSQL, whoever asks: TRUNCATE of any ledger table is refused (TRUNCATE fires no row trigger, so the
append-only trigger of 0002 let it through); a checkpoint is never updated or deleted; a stream head is never
deleted (it is moved forward by every append, so UPDATE stays allowed).

The owner of the tables can still disable a trigger: against the application, the protection is its role's
privileges (`manage.py grant_app_role`). The one way around the TRUNCATE refusal is a session that sets
`khanij.ledger_truncate = allowed`: the test suite's connections do (config/test_settings.py), since every
transactional test ends by emptying every table.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('khanij.ledger_truncate', true), '') = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only: TRUNCATE of % is refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
CREATE TRIGGER ledger_checkpoint_no_truncate BEFORE TRUNCATE ON ledger_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
CREATE TRIGGER ledger_streamhead_no_truncate BEFORE TRUNCATE ON ledger_streamhead
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
CREATE TRIGGER ledger_checkpoint_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoint
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_streamhead_no_delete BEFORE DELETE ON ledger_streamhead
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_checkpoint_no_truncate ON ledger_checkpoint;
DROP TRIGGER IF EXISTS ledger_streamhead_no_truncate ON ledger_streamhead;
DROP TRIGGER IF EXISTS ledger_checkpoint_append_only ON ledger_checkpoint;
DROP TRIGGER IF EXISTS ledger_streamhead_no_delete ON ledger_streamhead;
DROP FUNCTION IF EXISTS ledger_refuse_truncate();
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_checkpoint_signature")]
    operations = [migrations.RunPython(forward, backward)]
