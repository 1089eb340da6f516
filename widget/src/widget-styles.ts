import type { WidgetTheme } from "./widget-options.js";

/** Fallbacks for a theme field neither the options nor the tenant's branding set. */
const defaults: Required<Omit<WidgetTheme, "logoUrl">> = {
  primaryColor: "#1d4ed8",
  secondaryColor: "#0f172a",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  borderRadius: "8px",
};

/** The theme's values as custom properties on the shadow host. */
export function themeProperties(theme: WidgetTheme): string {
  const value = <K extends keyof typeof defaults>(key: K) =>
    String(theme[key] ?? defaults[key]).replace(/[;{}<>]/g, "");
  return `:host{--vbwd-primary:${value("primaryColor")};--vbwd-text:${value(
    "secondaryColor",
  )};--vbwd-font:${value("fontFamily")};--vbwd-radius:${value("borderRadius")}}`;
}

/** The widget's own styles; nothing of the host page's reaches inside the shadow root. */
export const widgetStyles = `
:host{display:block;color:var(--vbwd-text);font-family:var(--vbwd-font);font-size:16px;line-height:1.4}
*{box-sizing:border-box}
[hidden]{display:none!important}
.panel{background:#fff;border:1px solid #cbd5e1;border-radius:var(--vbwd-radius);padding:16px;max-width:420px}
.head{display:flex;align-items:center;gap:10px;margin:0 0 12px}
.head img{max-height:32px}
.powered{margin:12px 0 0;font-size:.75em;text-align:right}
.powered a{color:#64748b}
h2{font-size:1.15em;margin:0}
h3{font-size:1em;margin:12px 0 8px}
button{font:inherit;color:inherit;cursor:pointer;border-radius:var(--vbwd-radius);border:1px solid #94a3b8;background:#fff;padding:6px 10px}
button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid var(--vbwd-primary);outline-offset:2px}
.primary{background:var(--vbwd-primary);border-color:var(--vbwd-primary);color:#fff}
.primary:disabled{opacity:.7}
.services{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.services button{width:100%;text-align:left;display:flex;justify-content:space-between;gap:8px}
.nav{display:flex;justify-content:space-between;align-items:center;margin-bottom:8px}
.grid{width:100%;border-collapse:collapse;table-layout:fixed}
.grid th{font-size:.8em;font-weight:600;padding:2px}
.grid td{padding:2px;text-align:center}
.day{width:100%;padding:6px 0;border-color:transparent}
.day[aria-disabled=true]{color:#475569;background:#f1f5f9;cursor:default}
.day.free{border-color:var(--vbwd-primary);font-weight:600}
.day[aria-selected=true]{background:var(--vbwd-primary);color:#fff}
.times{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(84px,1fr));gap:6px}
.times button{width:100%}
label{display:block;margin:8px 0 2px;font-weight:600}
input,select{font:inherit;width:100%;padding:6px 8px;border:1px solid #64748b;border-radius:var(--vbwd-radius)}
input[aria-invalid=true]{border-color:#b91c1c}
.field-error{color:#b91c1c;margin:2px 0 0;font-size:.9em}
.notice{background:#fef3c7;color:#78350f;padding:8px;border-radius:var(--vbwd-radius);margin:8px 0}
.countdown{font-weight:600;margin:8px 0}
.actions{display:flex;gap:8px;justify-content:space-between;margin-top:12px}
.muted{color:#475569}
.launcher{background:var(--vbwd-primary);border-color:var(--vbwd-primary);color:#fff;padding:10px 16px}
.floating{position:fixed;right:20px;bottom:20px;z-index:2147483000;box-shadow:0 4px 14px rgba(0,0,0,.25)}
dialog{border:none;padding:0;background:transparent;max-width:calc(100vw - 24px)}
dialog::backdrop{background:rgba(15,23,42,.5)}
.close{float:right}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
