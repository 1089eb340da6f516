/**
 * Booking figures on MySQL, each against its baseline in the same run:
 * - booking-hot-calendar: REST bookings/s on one calendar, distinct slots, against a plain
 *   transactional booking (`SELECT … FOR UPDATE` on the claimed cells) behind a bare Koa route.
 * - contended-slot: attempts/s with 200 clients on one slot, against the same baseline.
 * - booking-vs-bare-koa: REST booking throughput as a share of a bare Koa JSON route.
 * - availability-30-days: p99 of availability from the calendar actor's memory with 1,000
 *   bookings, against reading the same bookings from MySQL and computing the slots.
 */
import autocannon from "autocannon";
import Koa from "koa";
import { createPool, type Pool } from "mysql2/promise";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { availableSlots, occupiedCells, type CalendarRules } from "../src/domain/availability.js";
import { knexOf } from "../src/engine/knex-access.js";
import { loadCalendarState } from "../src/engine/calendar-state.js";
import { dialectsUnderTest } from "../test/support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
} from "../test/support/engine.js";
import type { BenchResult, LoadSettings } from "./measure.js";

const day = 86_400_000;
/** Clients booking one hot calendar at once, for the engine and the baseline alike. */
const hotConnections = 50;
const allDay = Object.fromEntries(
  ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]]),
);

/** Runs the booking benchmarks; they need MySQL (DATABASE_URL). */
export async function benchBooking(
  settings: LoadSettings,
  bareKoaRps: number,
): Promise<BenchResult[]> {
  const mysql = dialectsUnderTest().find((d) => d.name === "mysql");
  if (!mysql) {
    process.stderr.write("bench/booking: skipped, DATABASE_URL does not point at MySQL\n");
    return [];
  }
  const scratch = await mysql.create("bench_booking");
  const engine = await startTestEngine(scratch.target);
  const pool = createPool({ uri: (scratch.target as { url: string }).url, connectionLimit: 20 });
  try {
    const offer = await prepareOffer(engine);
    await prepareBaseline(pool, offer.calendarId);
    const baseline = await startBaselineServer(pool);
    try {
      return [
        ...(await hotCalendar(engine, offer, baseline.url, settings, bareKoaRps)),
        await contendedSlot(engine, offer, baseline.url, settings),
        await availabilityFromMemory(engine, offer, settings),
      ];
    } finally {
      await baseline.stop();
    }
  } finally {
    await pool.end();
    await engine.stop();
    await scratch.drop();
  }
}

interface Offer {
  tenantKey: string;
  calendarId: string;
  serviceId: string;
  firstSlot: number;
}

async function prepareOffer(engine: TestEngine): Promise<Offer> {
  const tenant = await signUpTenant(engine, "bench-booking");
  await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
    token: testAdminToken,
    body: { planSlug: "enterprise" },
  });
  const calendar = await engine.api("POST", "/api/v1/calendars", {
    token: tenant.secretKey,
    body: {
      name: "Hot",
      timezone: "UTC",
      weeklyHours: allDay,
      slotIntervalMinutes: 5,
      horizonDays: 730,
    },
  });
  const service = await engine.api("POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: { calendarIds: [calendar.body.id], name: "Quick", durationMinutes: 5 },
  });
  const firstSlot = Math.ceil((Date.now() + day) / day) * day;
  return {
    tenantKey: tenant.secretKey,
    calendarId: calendar.body.id,
    serviceId: service.body.id,
    firstSlot,
  };
}

const nextBookingFile = fileURLToPath(new URL("./load/next-booking.cjs", import.meta.url));

/**
 * Booking load from a worker thread (the client does not share the engine's event loop):
 * distinct 5-minute slots from `firstSlotMs`, or one slot over and over.
 */
function bookingLoad(
  url: string,
  headers: Record<string, string>,
  offer: { calendarId: string; serviceId: string; firstSlotMs: number; sameSlot: boolean },
  settings: LoadSettings,
  connections: number,
) {
  process.env.BENCH_BOOKING = JSON.stringify(offer);
  return autocannon({
    url,
    connections,
    workers: 1,
    duration: settings.durationSeconds,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        setupRequest: nextBookingFile as unknown as autocannon.Request["setupRequest"],
      },
    ],
  });
}

async function hotCalendar(
  engine: TestEngine,
  offer: Offer,
  baselineUrl: string,
  settings: LoadSettings,
  bareKoaRps: number,
) {
  const target = { calendarId: offer.calendarId, serviceId: offer.serviceId, sameSlot: false };
  const auth = { authorization: `Bearer ${offer.tenantKey}` };
  const engineRun = await bookingLoad(
    `${engine.url}/api/v1/bookings`,
    auth,
    { ...target, firstSlotMs: offer.firstSlot },
    settings,
    hotConnections,
  );
  const baselineRun = await bookingLoad(
    `${baselineUrl}/book`,
    {},
    { ...target, firstSlotMs: offer.firstSlot + 400 * day },
    settings,
    hotConnections,
  );
  // Distinct free slots: any refusal means a benchmark fault, not a figure.
  for (const [who, run] of [
    ["engine", engineRun],
    ["baseline", baselineRun],
  ] as const) {
    if (run.non2xx + run.errors > 0) {
      throw new Error(`${who}: ${run.non2xx} refused and ${run.errors} failed bookings`);
    }
  }
  const engineRate = engineRun["2xx"] / settings.durationSeconds;
  const baselineRate = baselineRun["2xx"] / settings.durationSeconds;
  const ratio = engineRate / baselineRate;
  const share = engineRate / bareKoaRps;
  return [
    row("booking-hot-calendar", engineRate, "bookings/s", baselineRate, "≥ 10×", ratio >= 10),
    row("booking-vs-bare-koa", engineRate, "req/s", bareKoaRps, "≥ 0.5×", share >= 0.5),
  ];
}

async function contendedSlot(
  engine: TestEngine,
  offer: Offer,
  baselineUrl: string,
  settings: LoadSettings,
) {
  const slot = { calendarId: offer.calendarId, serviceId: offer.serviceId, sameSlot: true };
  const firstSlotMs = offer.firstSlot + 700 * day;
  const auth = { authorization: `Bearer ${offer.tenantKey}` };
  const url = `${engine.url}/api/v1/bookings`;
  const engineRun = await bookingLoad(url, auth, { ...slot, firstSlotMs }, settings, 200);
  const baselineRun = await bookingLoad(
    `${baselineUrl}/book`,
    {},
    { ...slot, firstSlotMs },
    settings,
    200,
  );
  const attempts = (run: autocannon.Result) => (run["2xx"] + run.non2xx) / settings.durationSeconds;
  const ratio = attempts(engineRun) / attempts(baselineRun);
  const value = attempts(engineRun);
  return row("contended-slot", value, "attempts/s", attempts(baselineRun), "≥ 10×", ratio >= 10);
}

async function availabilityFromMemory(engine: TestEngine, offer: Offer, settings: LoadSettings) {
  const { actors, db } = engine.engine.services;
  const office = await officeCalendar(engine, offer);
  const tenantId = (await knexOf(db)("calendars").where({ id: office.calendarId }).first())
    .tenant_id;
  const from = Math.ceil((Date.now() + day) / day) * day;
  const booked = await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      actors
        .ask(`calendar:${office.calendarId}`, {
          op: "book",
          tenantId,
          bookingId: `bkg_bench${i}`,
          serviceId: office.serviceId,
          startMs:
            from + Math.floor(i / 48) * day + 9 * 3600_000 + (Math.floor(i / 3) % 16) * 1800_000,
          customer: { name: "Bench", email: "bench@example.org" },
        })
        .then(
          () => 1,
          () => 0,
        ),
    ),
  );
  const made = booked.reduce((a: number, b: number) => a + b, 0);
  if (made < 1000) throw new Error(`made only ${made} of 1,000 bookings`);
  const rounds = settings.durationSeconds >= 10 ? 2000 : 500;
  const calendar = `calendar:${office.calendarId}`;
  // Each round asks a window shifted by a minute, so no whole answer comes from the memo, and
  // one ask in five follows a change (a hold placed or released, untimed) on a day it covers.
  const window = (i: number) => ({ fromMs: from + i * 60_000, toMs: from + i * 60_000 + 30 * day });
  let holdId: string | undefined;
  const change = async (i: number) => {
    if (holdId) {
      await actors.ask(calendar, { op: "release", tenantId, holdId });
      holdId = undefined;
    } else {
      const startMs = from + (21 + (i % 9)) * day + 9 * 3600_000 + (i % 16) * 1800_000;
      const hold = await actors.ask(calendar, {
        op: "hold",
        tenantId,
        serviceId: office.serviceId,
        startMs,
      });
      holdId = (hold as { id: string }).id;
    }
  };
  const ask = (i: number) =>
    actors.ask(calendar, {
      op: "availability",
      tenantId,
      serviceId: office.serviceId,
      ...window(i),
    });
  const memory = await timeEach(rounds, ask, (i) => (i % 5 === 0 ? change(i) : undefined));
  const state = await loadCalendarState(knexOf(db), office.calendarId);
  const query = (i: number) =>
    slotsFromDatabase(engine, office.calendarId, state!.rules, window(i).fromMs);
  const fromDatabase = await timeEach(Math.max(100, rounds / 5), query);
  const p99 = percentile(memory, 99);
  const baseP99 = percentile(fromDatabase, 99);
  const met = baseP99 / p99 >= 20 && p99 < 2;
  return row("availability-30-days", p99, "ms p99", baseP99, "≥ 20×, p99 < 2 ms", met);
}

/** A calendar open 09:00–17:00 daily, three seats, 15-minute steps, a 30-minute service. */
async function officeCalendar(engine: TestEngine, offer: Offer) {
  const hours = Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["09:00", "17:00"]]]),
  );
  const calendar = await engine.api("POST", "/api/v1/calendars", {
    token: offer.tenantKey,
    body: {
      name: "Office",
      timezone: "UTC",
      weeklyHours: hours,
      capacity: 3,
      slotIntervalMinutes: 15,
    },
  });
  const service = await engine.api("POST", "/api/v1/services", {
    token: offer.tenantKey,
    body: { calendarIds: [calendar.body.id], name: "Visit", durationMinutes: 30 },
  });
  return { calendarId: calendar.body.id as string, serviceId: service.body.id as string };
}

async function slotsFromDatabase(
  engine: TestEngine,
  calendarId: string,
  rules: CalendarRules,
  from: number,
) {
  const knex = knexOf(engine.engine.services.db);
  const bookings = await knex("bookings")
    .select("start_ms", "end_ms")
    .where({ calendar_id: calendarId, status: "confirmed" })
    .andWhere("start_ms", ">=", from - day)
    .andWhere("start_ms", "<", from + 31 * day);
  const occupancy = new Map<number, number>();
  for (const booking of bookings) {
    for (const cell of occupiedCells(rules, Number(booking.start_ms), Number(booking.end_ms))) {
      occupancy.set(cell, (occupancy.get(cell) ?? 0) + 1);
    }
  }
  return availableSlots(rules, {
    durationMinutes: 5,
    fromMs: from,
    toMs: from + 30 * day,
    nowMs: Date.now(),
    occupancy,
    bookingsPerDay: new Map(),
  });
}

async function timeEach(
  rounds: number,
  work: (round: number) => Promise<unknown>,
  untimed?: (round: number) => Promise<unknown> | undefined,
) {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await untimed?.(i);
    const started = performance.now();
    await work(i);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function row(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  target: string,
  met: boolean,
): BenchResult {
  const round = (n: number) => (n >= 100 ? Math.round(n) : Math.round(n * 1000) / 1000);
  const ratio = unit.includes("p99") ? baseline / value : value / baseline;
  return {
    name,
    value: round(value),
    unit,
    baseline: round(baseline),
    ratio: Math.round(ratio * 100) / 100,
    target,
    met,
  };
}

/**
 * The baseline's own tables (claims with a primary key, bookings) and its calendar's row,
 * made before the load: inserting it inside each booking's transaction would take a shared
 * lock that the `FOR UPDATE` after it then waits on, and concurrent bookings would deadlock
 * each other instead of measuring a row lock.
 */
async function prepareBaseline(pool: Pool, calendarId: string): Promise<void> {
  await pool.query(`create table if not exists baseline_claims (
    calendar_id varchar(40) not null, cell_start_ms bigint not null, booking_id varchar(40) not null,
    primary key (calendar_id, cell_start_ms)) engine = InnoDB`);
  await pool.query(`create table if not exists baseline_calendars (
    id varchar(40) not null primary key) engine = InnoDB`);
  await pool.query("insert ignore into baseline_calendars values (?)", [calendarId]);
  await pool.query(`create table if not exists baseline_bookings (
    id varchar(40) not null primary key, calendar_id varchar(40) not null, start_ms bigint not null,
    end_ms bigint not null, customer_email varchar(255) not null) engine = InnoDB`);
}

/**
 * A bare Koa route that books the way a plain CRUD app would: lock the calendar's row
 * (`SELECT … FOR UPDATE`), check the cells, insert, commit.
 */
async function startBaselineServer(pool: Pool) {
  let counter = 0;
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const start = Date.parse(body.start);
    const cells = [start];
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query("select id from baseline_calendars where id = ? for update", [
        body.calendarId,
      ]);
      const [taken] = await connection.query(
        "select cell_start_ms from baseline_claims where calendar_id = ? and cell_start_ms in (?)",
        [body.calendarId, cells],
      );
      if ((taken as unknown[]).length > 0) {
        await connection.rollback();
        ctx.status = 409;
        ctx.body = { error: { code: "slot_unavailable" } };
        return;
      }
      const id = `bb_${process.pid}_${++counter}`;
      await connection.query("insert into baseline_bookings values (?, ?, ?, ?, ?)", [
        id,
        body.calendarId,
        start,
        start + 300_000,
        body.customer.email,
      ]);
      await connection.query("insert into baseline_claims values ?", [
        cells.map((cell) => [body.calendarId, cell, id]),
      ]);
      await connection.commit();
      ctx.status = 201;
      ctx.body = { id };
    } catch {
      await connection.rollback();
      ctx.status = 409;
      ctx.body = { error: { code: "slot_unavailable" } };
    } finally {
      connection.release();
    }
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
