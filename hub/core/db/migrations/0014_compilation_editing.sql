-- Editing a compilation in the studio: a version for optimistic concurrency, and typed
-- history entries.

-- Incremented by every change to the compilation, its items or its team, so that two editors
-- working on one compilation never overwrite each other's change unseen (`expectedVersion`).
alter table compilations add column version integer not null default 1;

-- The facts of a history entry as JSON, read as a typed event (`HistoryEntry.event`):
-- {"record": Record ID} for item entries, {"from", "to"} for a move or a reweighting,
-- {"fields": [...]} for a settings change, {"version", "target"} for a publication,
-- {"member": Member ID} for the editors team. `reason` keeps its text for older clients.
alter table compilation_history add column details jsonb not null default '{}';

-- The entries written before this migration carried their facts in `reason` only.
update compilation_history set details = jsonb_build_object('record', reason)
where action in ('add_item', 'remove_item') and reason <> '';
update compilation_history set details = jsonb_build_object('member', reason)
where action = 'add_editor' and reason <> '';
update compilation_history
set details = jsonb_build_object('from', split_part(reason, ' → ', 1)::int,
                                 'to', split_part(reason, ' → ', 2)::int)
where action = 'move_item' and reason ~ '^[0-9]+ → [0-9]+$';
update compilation_history h
set details = jsonb_build_object('version', substring(h.reason from '^version ([0-9]+)$')::int,
                                 'target', c.target)
from compilations c
where c.id = h.compilation_id and h.action = 'publish' and h.reason ~ '^version [0-9]+$';
