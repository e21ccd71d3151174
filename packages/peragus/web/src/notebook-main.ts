// The notebook page's own entry (notebook.html): CodeMirror comes with the page's first request
// instead of after the list's script, and the list page never loads it.

import { html } from "htm/preact";
import { render } from "preact";
import { NotebookPage } from "./notebook";
import { ShortcutsPanel } from "./shortcuts";
import { applyTheme } from "./theme";
import "./style.css";

applyTheme();
const match = location.pathname.match(/^\/notebooks\/([^/]+)\/?$/);
const name = decodeURIComponent(match?.[1] ?? "");
render(html`<${NotebookPage} name=${name} /><${ShortcutsPanel} />`, document.getElementById("app")!);
