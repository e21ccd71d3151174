// The status page's entry (status.html): no editor, no CodeMirror.

import { html } from "htm/preact";
import { render } from "preact";
import { StatusPage } from "./status";
import { applyTheme } from "./theme";
import "./style.css";

applyTheme();
render(html`<${StatusPage} />`, document.getElementById("app")!);
