// The staff feed over Socket.IO: bookings and holds of the whole tenant, as they commit.
// The engine serves the client itself, so the dashboard loads nothing from elsewhere.

import { io } from "/socket.io/socket.io.esm.min.js";
import { refusedTokenCodes } from "./api-client.js";

const retryMs = 5000;

/**
 * Connects with the staff token. `listener` is told: `connected(recovered)`,
 * `disconnected(reason)`, `failed(message, code)` (a refusal or an unreachable engine),
 * `booking(event)` and `holdUpdate(event)`. Returns `close()`.
 */
export function connectLiveFeed(token, listener) {
  const socket = io({ auth: { token } });
  let retry;

  socket.on("connect", () => listener.connected(socket.recovered));
  socket.on("disconnect", (reason) => listener.disconnected(reason));
  socket.on("connect_error", (error) => {
    const code = error.data?.code;
    listener.failed(error.message, code);
    // The client retries lost connections itself, but not a refusal by the engine: retry
    // those that may pass later (unavailable, suspended), never a refused token.
    if (!socket.active && !refusedTokenCodes.includes(code)) {
      clearTimeout(retry);
      retry = setTimeout(() => socket.connect(), retryMs);
    }
  });
  socket.on("booking", (event) => listener.booking(event));
  socket.on("hold:update", (event) => listener.holdUpdate(event));

  return {
    close() {
      clearTimeout(retry);
      socket.disconnect();
    },
  };
}
