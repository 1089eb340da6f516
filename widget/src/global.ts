// The classic-script build: `<script src=".../widget/v1/vbwd-widget.js">` defines
// `window.VBWDWidget`; the engine's address defaults to where the script came from.
import { initWidget, WidgetError, type WidgetConfig } from "./widget-entry.js";

const script = document.currentScript as HTMLScriptElement | null;
const scriptOrigin = script?.src ? new URL(script.src).origin : location.origin;

/** The page's entry point: `VBWDWidget.init({ tenantId, apiKey, container, … })`. */
const VBWDWidget = {
  version: "1",
  init: (config: WidgetConfig) => initWidget(config, scriptOrigin),
  WidgetError,
};

(window as unknown as { VBWDWidget: typeof VBWDWidget }).VBWDWidget = VBWDWidget;
