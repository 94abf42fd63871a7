// Entry point: register the service worker, build the shell (database, sync, session) and render
// the app into #app. A failure to open storage is shown in both languages rather than a blank page.

import { render } from "preact";
import "./styles.css";
import "./app/app.css";
import { App } from "./app/App";
import { createShell } from "./app/boot";
import { lang } from "./i18n/i18n";
import { installNotices } from "./notices/live";
import { startServiceWorker } from "./pwa/update";
import { installWedge } from "./scan/wedge";
import { unlockAudio } from "./ui/feedback";

// Registers /sw.js (offline shell + update policy); <UpdateBanner/> calls it too, idempotently.
startServiceWorker();

// Hardware scanners that type like a keyboard (Zebra, Urovo, Honeywell) feed the scan stream.
installWedge();

// Browsers allow sound only after a gesture; scans later are not gestures.
addEventListener("pointerdown", unlockAudio, { once: true });
addEventListener("keydown", unlockAudio, { once: true });

async function main(): Promise<void> {
  const root = document.querySelector<HTMLElement>("#app");
  if (root === null) return;
  document.documentElement.lang = lang.value;
  try {
    const shell = await createShell({
      // Another tab upgraded the database and this connection is closed: nothing more can be
      // recorded here, so reload now; the hash route brings the person back to the same screen.
      onVersionChange: () => location.reload(),
    });
    // Notifications: the worker learns the language, the subscription is handed over again.
    installNotices(shell);
    root.textContent = "";
    render(<App shell={shell} />, root);
  } catch (error: unknown) {
    console.error("the app could not start", error);
    root.innerHTML =
      '<p class="notice notice-bad" role="alert">本机存储无法打开，请检查浏览器设置（不要使用无痕模式）后重新打开。<br>' +
      "This phone's storage could not be opened. Check the browser settings (no private mode) and reopen the app.</p>";
  }
}

void main();
