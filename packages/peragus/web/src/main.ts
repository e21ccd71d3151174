// The notebook list's entry (index.html). Notebook pages have their own (notebook.html).

import { html } from "htm/preact";
import { render } from "preact";
import { NotebookList } from "./list";
import { ShortcutsPanel } from "./shortcuts";
import { applyTheme } from "./theme";
import "./style.css";

applyTheme();
render(html`<${NotebookList} /><${ShortcutsPanel} />`, document.getElementById("app")!);
