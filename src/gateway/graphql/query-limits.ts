import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type FieldNode,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

/** How far documents may nest and how much they may ask for, checked before execution. */
export interface QueryLimits {
  /** Deepest field nesting; top-level fields are at depth 1. */
  maxDepth: number;
  /** Most fields one operation may resolve, lists counted as many times as they may hold. */
  maxCost: number;
  /** Items a list without a `limit` argument is assumed to hold. */
  defaultListSize: number;
  /** Items a list whose `limit` comes from a variable may hold (the largest page). */
  variableListSize: number;
}

/** The field extension that tells the cost rule how long a list usually is. */
export const listSizeExtension = "listSize";

/**
 * Extensions for a list field of bounded, usually short length (a calendar's date
 * overrides), so the cost rule does not count it as a full page.
 */
export function expectedListSize(size: number): Record<string, number> {
  return { [listSizeExtension]: size };
}

/** The limits of the engine's `/graphql`. */
export const queryLimits: QueryLimits = {
  maxDepth: 8,
  maxCost: 5000,
  defaultListSize: 50,
  variableListSize: 100,
};

/** The validation rules that enforce `limits`, added to GraphQL's own. */
export function queryLimitRules(limits: QueryLimits = queryLimits): ValidationRule[] {
  return [depthLimitRule(limits), costLimitRule(limits)];
}

/**
 * Refuses operations nested deeper than `maxDepth` (code `query_too_deep`). Inside
 * introspection, `ofType` only unwraps a type reference, so it does not count.
 */
export function depthLimitRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = depthOf(context, operation.selectionSet, false, new Set());
      if (depth <= limits.maxDepth) return;
      context.reportError(
        new GraphQLError(
          `the operation nests ${depth} fields deep; at most ${limits.maxDepth} are allowed`,
          {
            nodes: [operation],
            extensions: { code: "query_too_deep", status: 400, depth, limit: limits.maxDepth },
          },
        ),
      );
    },
  });
}

/**
 * Refuses operations whose estimated cost is over `maxCost` (code `query_too_costly`). Each
 * field costs one; a list multiplies what is under it by its `limit` argument (or the limit
 * given to the field that holds it, as `bookings(limit:) { data }`), else by the field's
 * `expectedListSize`, else by `defaultListSize`. Introspection answers from the small static schema, so its lists count
 * once and only its depth is limited.
 */
export function costLimitRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation) ?? undefined;
      const walk = new CostWalk(context, limits);
      const cost = walk.costOf(operation.selectionSet, root, undefined, new Set());
      if (cost <= limits.maxCost) return;
      context.reportError(
        new GraphQLError(
          `the operation may resolve ${cost} fields; at most ${limits.maxCost} are allowed: ask for smaller pages or fewer fields`,
          {
            nodes: [operation],
            extensions: { code: "query_too_costly", status: 400, cost, limit: limits.maxCost },
          },
        ),
      );
    },
  });
}

function depthOf(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  introspection: boolean,
  fragments: Set<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const inside = introspection || name.startsWith("__");
      const own = inside && name === "ofType" ? 0 : 1;
      const below = selection.selectionSet
        ? depthOf(context, selection.selectionSet, inside, fragments)
        : 0;
      depth = own + below;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(context, selection.selectionSet, introspection, fragments);
    } else {
      depth = throughFragment(context, selection.name.value, fragments, (set) =>
        depthOf(context, set, introspection, fragments),
      );
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** Measures a named fragment once per path (cycles are reported by GraphQL's own rules). */
function throughFragment(
  context: ValidationContext,
  name: string,
  fragments: Set<string>,
  measure: (selectionSet: SelectionSetNode) => number,
): number {
  const fragment = context.getFragment(name);
  if (!fragment || fragments.has(name)) return 0;
  fragments.add(name);
  const measured = measure(fragment.selectionSet);
  fragments.delete(name);
  return measured;
}

class CostWalk {
  constructor(
    private readonly context: ValidationContext,
    private readonly limits: QueryLimits,
  ) {}

  costOf(
    selectionSet: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    pageSize: number | undefined,
    fragments: Set<string>,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += this.fieldCost(selection, type, pageSize, fragments);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = this.typeNamed(selection.typeCondition?.name.value) ?? type;
        total += this.costOf(selection.selectionSet, narrowed, pageSize, fragments);
      } else {
        const fragment = this.context.getFragment(selection.name.value);
        const narrowed = this.typeNamed(fragment?.typeCondition.name.value) ?? type;
        total += throughFragment(this.context, selection.name.value, fragments, (set) =>
          this.costOf(set, narrowed, pageSize, fragments),
        );
      }
    }
    return total;
  }

  private fieldCost(
    node: FieldNode,
    parent: GraphQLNamedType | undefined,
    pageSize: number | undefined,
    fragments: Set<string>,
  ): number {
    const name = node.name.value;
    if (name.startsWith("__")) return countFields(node.selectionSet);
    const definition = isObjectType(parent) ? parent.getFields()[name] : undefined;
    if (!definition) return 1;

    const isList = isListType(getNullableType(definition.type));
    const limit = this.limitOf(node);
    const expected = definition.extensions[listSizeExtension];
    const hinted = typeof expected === "number" ? expected : undefined;
    const times = isList ? (limit ?? pageSize ?? hinted ?? this.limits.defaultListSize) : 1;
    const below = node.selectionSet
      ? this.costOf(
          node.selectionSet,
          getNamedType(definition.type),
          isList ? undefined : limit,
          fragments,
        )
      : 0;
    return times * (1 + below);
  }

  /**
   * The field's `limit` argument. A variable's value is not known while validating (and may
   * differ from its default), so it counts as the largest page.
   */
  private limitOf(node: FieldNode): number | undefined {
    const argument = node.arguments?.find((arg) => arg.name.value === "limit");
    if (!argument) return undefined;
    const value = argument.value;
    if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
    if (value.kind === Kind.VARIABLE) return this.limits.variableListSize;
    return undefined;
  }

  private typeNamed(name: string | undefined): GraphQLNamedType | undefined {
    return name === undefined ? undefined : this.context.getSchema().getType(name);
  }
}

/** Counts the fields of an introspection selection, each once. */
function countFields(selectionSet: SelectionSetNode | undefined): number {
  if (!selectionSet) return 1;
  let count = 1;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += countFields(selection.selectionSet);
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countFields(selection.selectionSet);
  }
  return count;
}
