import { PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Trigger } from '@mikro-orm/decorators/legacy';
import { CsatRating } from '../rating/rating.entity.js';

// The follow-up tables (Migration20261207030000, docs/insights.md, Follow-ups). Written by hand-written
// statements (followup.sql.ts) and the triggers; the entities are their schema for the diff. The triggers are
// plpgsql written by hand in the migration, declared here by name (a change to them is a hand-written migration).

/** One rating's follow-up: its key is the rating's (a foreign key to csat_rating, declared in the migration). */
@Entity({ tableName: 'csat_follow_up' })
@Check({ name: 'csat_follow_up_state', expression: "state in ('OPEN', 'CONTACTED', 'DONE')" })
@Check({ name: 'csat_follow_up_note_length', expression: 'char_length(note) <= 2000' })
@Check({ name: 'csat_follow_up_done_at', expression: "(state = 'DONE') = (done_at is not null)" })
@Index({ name: 'csat_follow_up_state_idx', expression: 'create index "csat_follow_up_state_idx" on "csat_follow_up" ("workspace_id", "state", "updated_at", "ticket_id")' })
@Trigger({
  name: 'csat_follow_up_stamp',
  timing: 'before',
  events: ['insert', 'update'],
  forEach: 'row',
  expression: 'create trigger csat_follow_up_stamp before insert or update on csat_follow_up for each row execute function csat_follow_up_stamp()',
})
@Trigger({
  name: 'csat_follow_up_history',
  timing: 'after',
  events: ['insert', 'update'],
  forEach: 'row',
  expression: 'create trigger csat_follow_up_history after insert or update on csat_follow_up for each row execute function csat_follow_up_history()',
})
export class CsatFollowUp {
  [PrimaryKeyProp]?: 'rating';

  /** The rating followed up: its key (workspace_id, ticket_id) is this one's; deleting the rating deletes it. */
  @ManyToOne(() => CsatRating, { primary: true, fieldNames: ['workspace_id', 'ticket_id'], deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'csat_follow_up_rating_fk' })
  rating!: CsatRating;

  @Property({ type: 'text' })
  state!: string;

  /** An agent of the workspace (followup.sql.ts says which ids count); null: nobody. */
  @Property({ type: 'uuid', nullable: true })
  ownerId!: string | null;

  @Property({ type: 'text', nullable: true })
  note!: string | null;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  openedAt!: Date;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  updatedAt!: Date;

  /** The staff member of the last change; null for the opening by a rating. */
  @Property({ type: 'uuid', nullable: true })
  updatedBy!: string | null;

  /** Set by the stamp trigger while DONE: when it became DONE. */
  @Property({ type: 'timestamptz', length: 3, nullable: true })
  doneAt!: Date | null;

  /** 1 on opening, +1 per change (the stamp trigger): the history's key. */
  @Property({ type: 'integer', default: 1 })
  version!: number;

  /** The state and owner before the last change (the stamp trigger), for the change's webhook event. */
  @Property({ type: 'text', nullable: true })
  previousState!: string | null;

  @Property({ type: 'uuid', nullable: true })
  previousOwnerId!: string | null;
}

/** Every change of a follow-up, appended by its history trigger. */
@Entity({ tableName: 'csat_follow_up_change' })
@Check({ name: 'csat_follow_up_change_states', expression: "to_state in ('OPEN', 'CONTACTED', 'DONE') and (from_state is null or from_state in ('OPEN', 'CONTACTED', 'DONE'))" })
export class CsatFollowUpChange {
  [PrimaryKeyProp]?: ['followUp', 'version'];

  @ManyToOne(() => CsatFollowUp, { primary: true, fieldNames: ['workspace_id', 'ticket_id'], deleteRule: 'cascade', updateRule: 'cascade', foreignKeyName: 'csat_follow_up_change_follow_up_fk' })
  followUp!: CsatFollowUp;

  @PrimaryKey({ type: 'integer' })
  version!: number;

  @Property({ type: 'timestamptz', length: 3 })
  at!: Date;

  @Property({ type: 'uuid', nullable: true })
  by!: string | null;

  @Property({ type: 'text', nullable: true })
  fromState!: string | null;

  @Property({ type: 'text' })
  toState!: string;

  @Property({ type: 'uuid', nullable: true })
  fromOwnerId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  toOwnerId!: string | null;

  @Property({ type: 'text', nullable: true })
  note!: string | null;
}
