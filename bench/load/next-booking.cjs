// Runs inside autocannon's worker thread: gives each request the next booking body. The
// offer comes through the environment (BENCH_BOOKING), since functions cannot cross threads.
const offer = JSON.parse(process.env.BENCH_BOOKING || "{}");
let next = 0;

module.exports = function nextBooking(request) {
  const step = offer.sameSlot ? 0 : next++;
  const start = new Date(offer.firstSlotMs + step * 300000).toISOString();
  const customer = { name: "Bench", email: "bench@example.org" };
  const body = { calendarId: offer.calendarId, serviceId: offer.serviceId, start, customer };
  return { ...request, body: JSON.stringify(body) };
};
