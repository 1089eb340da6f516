// The module build: `import { init } from ".../widget/v1/vbwd-widget.esm.js"`; the engine's
// address defaults to where the module came from.
import { initWidget, type WidgetConfig, type WidgetHandle } from "./widget-entry.js";

/** Starts a booking widget; see `WidgetConfig` for the options. */
export function init(config: WidgetConfig): WidgetHandle {
  return initWidget(config, new URL(import.meta.url).origin);
}

export { WidgetError } from "./widget-options.js";
export type { WidgetConfig, WidgetBooking, WidgetTheme, WidgetFeatures } from "./widget-options.js";
export type { WidgetHandle } from "./widget-entry.js";
