// Placeholder entry point: the PWA issue replaces this with the app shell and service worker.
import { looksLikeGs1 } from "./scanning/gs1";

const app = document.querySelector<HTMLElement>("#app");
if (app !== null) {
  app.dataset["gs1Ready"] = String(looksLikeGs1("(01)09501101530003"));
}
