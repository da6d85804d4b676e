#!/bin/sh
# Compose's PostgreSQL runs this once, when its volume is first created (docker-entrypoint-initdb.d).
# Per service schema: an owner role that migrations run as, and a non-owner role the service connects as, so
# row-level security applies to it; tables the owner creates later are granted to the service role by default.
# Also analytics' read-only role and the backup role. Passwords come from the environment (`make .env`).
set -eu

sql() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" "$@"
}

service_roles() {  # schema owner-password service-password
  sql -v schema="$1" -v owner="fitjourney_$1_owner" -v app="fitjourney_$1" -v owner_pw="$2" -v app_pw="$3" \
      -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"app" LOGIN PASSWORD :'app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
GRANT CONNECT ON DATABASE :"db" TO :"owner", :"app";
CREATE SCHEMA :"schema" AUTHORIZATION :"owner";
GRANT USAGE ON SCHEMA :"schema" TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" GRANT EXECUTE ON FUNCTIONS TO :"app";
SQL
}

service_roles auth "$AUTH_DB_OWNER_PASSWORD" "$AUTH_DB_PASSWORD"
service_roles core "$CORE_DB_OWNER_PASSWORD" "$CORE_DB_PASSWORD"
service_roles ai "$AI_DB_OWNER_PASSWORD" "$AI_DB_PASSWORD"
service_roles analytics "$ANALYTICS_DB_OWNER_PASSWORD" "$ANALYTICS_DB_PASSWORD"

# analytics reads core through a read-only role: it is made here with its password, and given its grants and
# core's read policy by `fitjourney-analytics grant-reader` (a compose one-shot after core's migrations).
# The backup role reads everything for pg_dump, which refuses to dump rows that row-level security would hide.
sql -v reader_pw="$ANALYTICS_DB_READER_PASSWORD" -v backup_pw="$BACKUP_DB_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE fitjourney_analytics_reader LOGIN PASSWORD :'reader_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER ROLE fitjourney_analytics_reader SET default_transaction_read_only = on;
CREATE ROLE fitjourney_backup LOGIN PASSWORD :'backup_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
GRANT CONNECT ON DATABASE :"db" TO fitjourney_backup;
GRANT pg_read_all_data TO fitjourney_backup;
SQL
