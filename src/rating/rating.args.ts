import { ArgsType, Field, ID, Int } from 'type-graphql';

/** rateTicket's arguments, in the order docs/contract.md gives them (an ArgsType keeps field order; parameter decorators run backwards). */
@ArgsType()
export class RateTicketArgs {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int, { description: '1..5' })
  rating!: number;

  @Field(() => String, { nullable: true, description: 'Optional; trimmed; at most 2000 characters' })
  comment?: string | null;
}
