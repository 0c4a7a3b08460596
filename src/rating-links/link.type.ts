import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';

@ObjectType('CsatRatingLinks', { description: "Signed, expiring links that let a ticket's requester rate it from the resolution email (docs/email-links.md)" })
export class CsatRatingLinksType {
  @Field(() => String, { description: 'The rating page without a star chosen' })
  url!: string;

  @Field(() => [String], { description: 'Five URLs, the page with 1..5 stars chosen (in that order); opening one never rates: the customer confirms on the page' })
  ratingUrls!: string[];

  @Field(() => DateTimeScalar, { description: 'When the links stop working (RATING_LINK_TTL after issue)' })
  expiresAt!: string;

  @Field(() => String, { description: 'The email fragment: "How did we do?" with the five star links; tables and inline styles, no images, no scripts' })
  html!: string;

  @Field(() => String, { description: 'The same fragment in plain text' })
  text!: string;
}
