import {
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLOutputType,
} from "graphql";
import type { AnyCommand } from "../../commands/command.js";
import { identifyPrincipal } from "../../commands/identity.js";
import { commands } from "../../commands/registry.js";
import { AppError } from "../../domain/app-error.js";
import { isTenantPrincipal } from "../../domain/principal.js";
import type { AvailabilityPush, AvailabilityStream } from "./availability-stream.js";
import { runAs, type GraphqlCaller } from "./graphql-caller.js";
import {
  AvailabilityChangeType,
  AvailabilityType,
  BookingInputType,
  BookingPageType,
  BookingStatusEnum,
  BookingType,
  CalendarType,
  DateTimeScalar,
  HoldInputType,
  HoldReleaseType,
  HoldType,
  ServiceType,
  UsageType,
} from "./graphql-types.js";

type Args = Record<string, unknown>;
type Field = GraphQLFieldConfig<unknown, GraphqlCaller, Args>;

const id = new GraphQLNonNull(GraphQLID);
const required = (type: GraphQLOutputType) => new GraphQLNonNull(type);
const listOf = (type: GraphQLOutputType) =>
  new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));

/** A field answered by one command, its arguments passed as the command's input. */
function commandField(
  type: GraphQLOutputType,
  command: AnyCommand,
  args: GraphQLFieldConfigArgumentMap = {},
  pick: (output: never) => unknown = (output) => output,
): Field {
  return {
    type,
    description: command.summary,
    args,
    resolve: async (_root, input, caller) => pick(await runAs<never>(caller, command, input)),
  };
}

/** A field whose only argument is an input object, passed to the command as its input. */
function inputField(type: GraphQLOutputType, command: AnyCommand, input: Field["args"]): Field {
  return {
    type,
    description: command.summary,
    args: input,
    resolve: (_root, args, caller) => runAs(caller, command, args.input),
  };
}

const listData = (output: { data: unknown[] }) => output.data;

const QueryType = new GraphQLObjectType<unknown, GraphqlCaller>({
  name: "Query",
  fields: {
    calendars: commandField(listOf(CalendarType), commands.listCalendars, {}, listData),
    calendar: commandField(required(CalendarType), commands.getCalendar, { id: { type: id } }),
    services: commandField(listOf(ServiceType), commands.listServices, {}, listData),
    service: commandField(required(ServiceType), commands.getService, { id: { type: id } }),
    availability: commandField(required(AvailabilityType), commands.availability, {
      calendarId: { type: id },
      serviceId: { type: GraphQLID },
      from: { type: DateTimeScalar },
      to: { type: DateTimeScalar },
    }),
    bookings: commandField(required(BookingPageType), commands.listBookings, {
      calendarId: { type: GraphQLID },
      from: { type: DateTimeScalar },
      to: { type: DateTimeScalar },
      status: { type: BookingStatusEnum },
      limit: { type: GraphQLInt, description: "Page size, 1–100 (default 50)." },
      cursor: { type: GraphQLString },
    }),
    booking: commandField(required(BookingType), commands.getBooking, { id: { type: id } }),
    holds: commandField(
      listOf(HoldType),
      commands.listHolds,
      {
        calendarId: { type: GraphQLID },
        limit: { type: GraphQLInt, description: "At most this many, 1–100 (default 50)." },
      },
      listData,
    ),
    usage: commandField(required(UsageType), commands.usage),
  },
});

const MutationType = new GraphQLObjectType<unknown, GraphqlCaller>({
  name: "Mutation",
  fields: {
    hold: inputField(required(HoldType), commands.createHold, {
      input: { type: new GraphQLNonNull(HoldInputType) },
    }),
    releaseHold: commandField(required(HoldReleaseType), commands.releaseHold, {
      id: { type: id },
    }),
    book: {
      type: required(BookingType),
      description: commands.createBooking.summary,
      args: {
        input: { type: new GraphQLNonNull(BookingInputType) },
        idempotencyKey: {
          type: GraphQLString,
          description:
            "A retry with the same key answers the first booking instead of booking again.",
        },
      },
      resolve: (_root, args, caller) =>
        runAs(caller, commands.createBooking, args.input, optionalText(args.idempotencyKey)),
    },
    cancelBooking: commandField(required(BookingType), commands.cancelBooking, {
      id: { type: id },
    }),
    rescheduleBooking: commandField(required(BookingType), commands.rescheduleBooking, {
      id: { type: id },
      start: { type: new GraphQLNonNull(DateTimeScalar) },
    }),
    markNoShow: commandField(required(BookingType), commands.markNoShow, { id: { type: id } }),
  },
});

const SubscriptionType = new GraphQLObjectType<unknown, GraphqlCaller>({
  name: "Subscription",
  fields: {
    availability: {
      type: required(AvailabilityChangeType),
      description:
        "Live availability of a calendar (one service, or each). The first message is the current availability of the next 7 days; then one message per committed change.",
      args: { calendarId: { type: id }, serviceId: { type: GraphQLID } },
      subscribe: (_root, args, caller) => watchAvailability(caller, args),
      resolve: (push: unknown) => push,
    },
  },
});

/** The engine's GraphQL schema: every field runs one command as the caller. */
export const graphqlSchema = new GraphQLSchema({
  query: QueryType,
  mutation: MutationType,
  subscription: SubscriptionType,
});

interface AvailabilityAnswer {
  calendarId: string;
  serviceId?: string;
  version: number;
  slots: AvailabilityPush["slots"];
}

/**
 * Opens the stream first (so no change is missed), then reads availability as the caller:
 * that checks the credential and that the calendar is the caller's tenant's.
 */
async function watchAvailability(caller: GraphqlCaller, args: Args): Promise<AvailabilityStream> {
  if (!caller.watchers) throw new AppError("internal_error", "subscriptions need a WebSocket");
  const calendarId = String(args.calendarId);
  const serviceId = optionalText(args.serviceId);
  const stream = caller.watchers.open({ calendarId, serviceId });
  try {
    const current = await runAs<AvailabilityAnswer>(caller, commands.availability, {
      calendarId,
      serviceId,
    });
    stream.begin(await tenantOfCaller(caller), {
      calendarId: current.calendarId,
      serviceId: current.serviceId ?? null,
      version: current.version,
      slots: current.slots,
      reset: false,
    });
    return stream;
  } catch (error) {
    await stream.return();
    throw error;
  }
}

/** The caller's tenant, once a command has accepted the caller's credential. */
async function tenantOfCaller(caller: GraphqlCaller): Promise<string> {
  const { services, credential } = caller;
  const principal = await identifyPrincipal(services, () => services.db.fork(), credential);
  if (!isTenantPrincipal(principal)) {
    throw new AppError("internal_error", "a tenant command accepted a non-tenant principal");
  }
  return principal.tenantId;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
