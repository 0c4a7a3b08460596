-- compose.yaml: the role csat-subgraph logs in as, owner of the database so that its migrations can create
-- its tables and graphile-worker's schema. Runs once, when the data volume is created.
create role csat login password 'csat';
do $$ begin execute format('alter database %I owner to csat', current_database()); end $$;
grant select on ticket to csat;
-- PgBouncer drops the service's startup parameters (ignore_startup_parameters in pgbouncer.ini), which carry
-- its timeouts and jit = off (docs/contract.md, Limits and timeouts): the same settings as the role's defaults,
-- at the service's default values. The migration job clears the timeouts in its DATABASE_URL.
alter role csat set statement_timeout = '5s';
alter role csat set lock_timeout = '2s';
alter role csat set idle_in_transaction_session_timeout = '8s';
alter role csat set jit = off;
