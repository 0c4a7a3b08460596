import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { CsatRatingFilter } from './insights.types.js';

/** The most terms one csatCommentThemes answer lists. */
export const MAX_THEMES = 50;

@ObjectType('CsatCommentTheme', { description: 'A term much more frequent in 1-2 star comments than in 4-5 star ones (docs/insights.md, Themes)' })
export class CsatCommentTheme {
  @Field(() => String, { description: "A lexeme of the comments in the workspace's commentLanguage as counted (commentLanguageStatus.effective; stemmed: 'refund' for refunds, refunded)" })
  term!: string;

  @Field(() => Float, { description: 'z-score of the weighted log-odds ratio (informative Dirichlet prior); listed from 1.96 on, highest first' })
  zScore!: number;

  @Field(() => Float, { description: 'The weighted log-odds ratio itself (unhappy against happy), in nats' })
  logOddsRatio!: number;

  @Field(() => Int, { description: 'Occurrences in 1-2 star comments' })
  unhappyCount!: number;

  @Field(() => Int, { description: 'Occurrences in 4-5 star comments' })
  happyCount!: number;

  @Field(() => Int, { description: '1-2 star comments holding it' })
  unhappyComments!: number;

  @Field(() => Int, { description: '4-5 star comments holding it' })
  happyComments!: number;

  @Field(() => [ID], { description: 'Up to three tickets whose 1-2 star comment holds it, the latest first' })
  exampleTicketIds!: string[];
}

@ArgsType()
export class CsatCommentThemesArgs {
  @Field(() => CsatRatingFilter, { nullable: true, description: 'The ratings both groups come from; ratings narrows the groups (3 is in neither)' })
  filter?: CsatRatingFilter | null;

  @Field(() => Int, { nullable: true, defaultValue: 20, description: `1..${MAX_THEMES}` })
  first?: number | null;
}
