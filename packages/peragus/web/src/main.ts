import { html } from "htm/preact";
import { render } from "preact";
import { NotebookList } from "./list";
import { ShortcutsPanel } from "./shortcuts";
import { applyTheme } from "./theme";
import "./style.css";

applyTheme();
const root = document.getElementById("app")!;
const match = location.pathname.match(/^\/notebooks\/([^/]+)\/?$/);
if (match) {
  // The notebook page (CodeMirror and all) is its own chunk: the list does not load it.
  import("./notebook").then(({ NotebookPage }) =>
    render(html`<${NotebookPage} name=${decodeURIComponent(match[1])} /><${ShortcutsPanel} />`, root),
  );
} else {
  render(html`<${NotebookList} /><${ShortcutsPanel} />`, root);
}
