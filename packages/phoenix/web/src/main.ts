// The console's one page: a header with the three views, and the view the address names.

import { html } from "htm/preact";
import { render } from "preact";
import { CatalogList, CatalogPage } from "./catalog";
import { ExperimentList, ExperimentPage } from "./experiments";
import { HostsView } from "./hosts";
import { onLink, useLocation } from "@groundwork/web/router";
import "@groundwork/web/base.css";

function View({ path }: { path: string }) {
  const [, first, second] = path.split("?")[0].split("/").map(decodeURIComponent);
  if (first === "catalog") return second ? html`<${CatalogPage} key=${second} name=${second} />` : html`<${CatalogList} />`;
  if (first === "experiments") return second ? html`<${ExperimentPage} key=${second} id=${second} />` : html`<${ExperimentList} />`;
  return html`<${HostsView} />`;
}

function App() {
  const path = useLocation();
  const here = (prefix: string) => (path.split("?")[0] === prefix || (prefix !== "/" && path.startsWith(prefix)) ? "page" : undefined);
  return html`<div onClick=${onLink}>
    <header>
      <strong>phoenix</strong>
      <nav>
        <a href="/" aria-current=${here("/")}>Deployments</a>
        <a href="/catalog" aria-current=${here("/catalog")}>Catalog</a>
        <a href="/experiments" aria-current=${here("/experiments")}>Experiments</a>
      </nav>
    </header>
    <${View} path=${path} />
  </div>`;
}

render(html`<${App} />`, document.getElementById("app")!);
