import { html } from "htm/preact";
import { render } from "preact";
import { NotebookList } from "./list";
import { NotebookPage } from "./notebook";
import "./style.css";

const match = location.pathname.match(/^\/notebooks\/([^/]+)\/?$/);
const page = match ? html`<${NotebookPage} name=${decodeURIComponent(match[1])} />` : html`<${NotebookList} />`;
render(page, document.getElementById("app")!);
