import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';
import { CsatFollowUpState } from './followup.state.js';

// Follow-ups' GraphQL types (docs/contract.md, Follow-ups): plain values read by graphql-js's default resolvers.

@ObjectType('CsatFollowUpChange', { description: 'One change of a follow-up: who, when, from, to' })
export class CsatFollowUpChangeType {
  @Field(() => Int, { description: '1 for the opening, then +1 per change: gapless, in the order the changes were made' })
  version!: number;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => ID, { nullable: true, description: 'The agent or admin who made it; null for the opening by a rating' })
  by!: string | null;

  @Field(() => CsatFollowUpState, { nullable: true, description: 'null for the opening' })
  from!: CsatFollowUpState | null;

  @Field(() => CsatFollowUpState)
  to!: CsatFollowUpState;

  @Field(() => ID, { nullable: true, description: 'The owner before the change' })
  ownerFrom!: string | null;

  @Field(() => ID, { nullable: true, description: 'The owner after the change' })
  ownerTo!: string | null;

  @Field(() => String, { nullable: true, description: 'The note after the change' })
  note!: string | null;
}

@ObjectType('CsatFollowUp', { description: "Staff's follow-up of a rating (only agents and admins of the workspace see it)" })
export class CsatFollowUpType {
  @Field(() => CsatFollowUpState)
  state!: CsatFollowUpState;

  @Field(() => ID, { nullable: true, description: 'The agent who owns it; null: nobody yet' })
  owner!: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2000 code points' })
  note!: string | null;

  @Field(() => DateTimeScalar, { description: "Opened: the rating's time when the rating opened it" })
  openedAt!: string;

  @Field(() => DateTimeScalar, { description: 'The last change' })
  updatedAt!: string;

  @Field(() => ID, { nullable: true, description: 'Who made the last change; null when it is the opening by a rating' })
  updatedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it became DONE; null unless DONE' })
  doneAt!: string | null;

  @Field(() => [CsatFollowUpChangeType], { description: 'Every change, oldest first' })
  history!: CsatFollowUpChangeType[];
}

@ArgsType()
export class SetCsatFollowUpArgs {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => CsatFollowUpState)
  state!: CsatFollowUpState;

  @Field(() => ID, { nullable: true, description: 'Left out: the owner stays; null: nobody. Yourself, or an agent the workspace has assigned tickets to' })
  ownerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Left out: the note stays; null or empty: none. At most 2000 code points' })
  note?: string | null;
}
