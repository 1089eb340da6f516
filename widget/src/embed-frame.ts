import { h } from "./element-builder.js";
import type { Translate } from "./messages.js";
import type { EmbedMode } from "./widget-options.js";
import { widgetStyles } from "./widget-styles.js";

/** Where the widget draws inside its host element, in whichever embed mode. */
export interface EmbedFrame {
  shadow: ShadowRoot;
  /** The element the booking steps are drawn into. */
  panel: HTMLElement;
  /** Sets the theme's custom properties. */
  applyTheme(css: string): void;
  /** Labels the launcher and close buttons in the widget's language. */
  relabel(t: Translate, title: string): void;
  /** Empties the shadow root. */
  remove(): void;
}

/**
 * Builds the open shadow root: inline, the panel sits in the host; as a popup or a floating
 * button, a launcher opens the panel in a modal dialog (Escape and the close button shut it).
 */
export function buildFrame(host: HTMLElement, mode: EmbedMode): EmbedFrame {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const theme = h("style", {});
  const panel = h("div", { class: "panel", role: "region" });
  shadow.replaceChildren(h("style", {}, widgetStyles), theme);

  if (mode === "inline") {
    shadow.append(panel);
    return frame(shadow, panel, theme, (_t, title) => panel.setAttribute("aria-label", title));
  }

  const launcher = h("button", {
    type: "button",
    class: mode === "floating" ? "launcher floating" : "launcher",
    "aria-haspopup": "dialog",
    "data-key": "launcher",
  });
  const close = h("button", { type: "button", class: "close", "data-key": "close" }, "×");
  const dialog = h("dialog", {}, h("div", { class: "panel" }, close, panel)) as HTMLDialogElement;
  launcher.addEventListener("click", () => dialog.showModal());
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => launcher.focus());
  shadow.append(launcher, dialog);
  return frame(shadow, panel, theme, (t, title) => {
    launcher.textContent = t("openWidget");
    close.setAttribute("aria-label", t("close"));
    dialog.setAttribute("aria-label", title);
    panel.setAttribute("aria-label", title);
  });
}

function frame(
  shadow: ShadowRoot,
  panel: HTMLElement,
  theme: HTMLElement,
  relabel: EmbedFrame["relabel"],
): EmbedFrame {
  return {
    shadow,
    panel,
    relabel,
    applyTheme: (css) => (theme.textContent = css),
    remove: () => shadow.replaceChildren(),
  };
}
