import { registerEnumType } from 'type-graphql';

// Enum values are their names: the subgraph schema is rebuilt from SDL, which keeps names only.
export enum CsatFollowUpState {
  OPEN = 'OPEN',
  CONTACTED = 'CONTACTED',
  DONE = 'DONE',
}
registerEnumType(CsatFollowUpState, {
  name: 'CsatFollowUpState',
  description: "A follow-up's state: OPEN (nobody reached the customer yet), CONTACTED, DONE. A rating without one has none",
});

export const FOLLOW_UP_STATES: readonly CsatFollowUpState[] = [CsatFollowUpState.OPEN, CsatFollowUpState.CONTACTED, CsatFollowUpState.DONE];
