#!/bin/sh
# Run by the postgres image on the first start of an empty data volume (docker-compose.yml mounts this folder at
# /docker-entrypoint-initdb.d): creates the application's role, which web, worker and beat connect as. Its
# privileges are granted by the migrate service (`manage.py grant_app_role khanij_app`) once the tables exist.
# An existing volume was initialised without it: run the CREATE ROLE below once with psql as the owner.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE khanij_app LOGIN PASSWORD :'password';
SQL
