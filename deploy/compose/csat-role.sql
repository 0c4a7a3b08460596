-- compose.yaml: the role csat-subgraph logs in as, owner of the database so that its migrations can create
-- its tables and graphile-worker's schema. Runs once, when the data volume is created.
create role csat login password 'csat';
do $$ begin execute format('alter database %I owner to csat', current_database()); end $$;
grant select on ticket to csat;
-- Behind PgBouncer in transaction mode (DB_POOL_MODE=transaction) a session SET does not hold: the service's
-- timeouts and jit = off (docs/contract.md, Limits and timeouts) are the role's settings, at the service's
-- default values; the service checks them at start. Migrations SET them to 0 on their own (direct) connections.
alter role csat set statement_timeout = '5s';
alter role csat set lock_timeout = '2s';
alter role csat set idle_in_transaction_session_timeout = '8s';
alter role csat set jit = off;
