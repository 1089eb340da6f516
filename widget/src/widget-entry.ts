import { BookingWidget } from "./booking-widget.js";
import {
  findHostQuietly,
  settleOptions,
  WidgetError,
  type WidgetConfig,
} from "./widget-options.js";

/** What `init` returns: the widget's handle on the page. */
export interface WidgetHandle {
  /** Releases any hold, closes the socket and empties the container. */
  destroy(): void;
}

/**
 * Starts a booking widget in its container. A bad option (a secret key, no key, a missing
 * container) is reported to the console, `onError` and a `vbwd:error` event, and nothing is
 * sent; the handle then does nothing.
 */
export function initWidget(config: WidgetConfig, defaultBaseUrl: string): WidgetHandle {
  let widget: BookingWidget;
  try {
    widget = new BookingWidget(settleOptions(config, defaultBaseUrl));
  } catch (error) {
    reportBadConfig(config, error as WidgetError);
    return { destroy: () => undefined };
  }
  void widget.start();
  return { destroy: () => widget.destroy() };
}

function reportBadConfig(config: WidgetConfig, error: WidgetError): void {
  console.error(error.message);
  try {
    config?.onError?.(error);
  } finally {
    const host = findHostQuietly(config?.container);
    const detail = { code: error.code, message: error.message };
    host?.dispatchEvent(new CustomEvent("vbwd:error", { detail, bubbles: true, composed: true }));
  }
}

export { WidgetError };
export type { WidgetConfig };
