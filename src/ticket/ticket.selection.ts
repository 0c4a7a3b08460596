import type { Viewer } from '../auth/viewer.js';
import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects `name` on its result (through fragments, honouring @skip and
 * @include): a page that does not ask for csatCanRate shows no prompt, and records no offer.
 */
function selects(info: GraphQLResolveInfo | undefined, name: string): boolean {
  if (!info) return false;
  const included = (node: FieldNode | SelectionSetNode['selections'][number]) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true && getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const seen = new Set<string>();
  const search = (set: SelectionSetNode | undefined): boolean => {
    for (const s of set?.selections ?? []) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD && s.name.value === name) return true;
      if (s.kind === Kind.INLINE_FRAGMENT && search(s.selectionSet)) return true;
      if (s.kind === Kind.FRAGMENT_SPREAD && !seen.has(s.name.value)) {
        seen.add(s.name.value);
        if (search(info.fragments[s.name.value]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => search(node.selectionSet));
}

/** Whether this load records the prompts shown: only a customer's, and only when csatCanRate is selected (staff and anonymous pages never write, so their selections are not walked). */
export function recordsOffers(viewer: Viewer | null, info: GraphQLResolveInfo | undefined): boolean {
  return viewer?.role === 'customer' && selects(info, 'csatCanRate');
}
