import { render } from "preact";
import { App } from "./app";
import { lang, setLang } from "./i18n";
import "./styles.css";

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

async function start() {
  // Development only: without Tauri, `?mock` serves a small in-memory study (src/mock.ts) so the
  // screens can be looked at in a plain browser. Inside Tauri the mock is never loaded.
  if (!window.__TAURI_INTERNALS__ && new URLSearchParams(location.search).has("mock")) {
    const { installMock } = await import("./mock");
    installMock(new URLSearchParams(location.search));
  }
  setLang(lang());
  render(<App />, document.getElementById("app")!);
}

void start();
