-- The helpdesk's `ticket` relation, for local runs, tests and demos only. In production the Tickets
-- subgraph owns it (or a view of that name); this subgraph only reads id, workspace_id, requester_id,
-- assignee_id and status. Idempotent: safe to apply on every start.
create table if not exists ticket (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  ref text not null,
  subject text not null default '',
  status text not null default 'new' check (status in ('new', 'open', 'pending', 'resolved', 'closed')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  requester_id uuid not null,
  assignee_id uuid null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists ticket_workspace_created_idx on ticket (workspace_id, created_at, id);
create index if not exists ticket_requester_idx on ticket (requester_id, created_at, id);
