// Settings: the AI provider (the key is write-only) and the secrets cells get as environment
// variables (names are listed, values never come back). A secret goes to every notebook, or,
// once linked to some, only to those (srcbook's per-session secrets).

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, type AiSettings, type Settings } from "./api";
import { problemText } from "./list";

const DEFAULT_URL = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" };

export function SettingsPanel({ onClose, notebook }: { onClose: (settings: Settings | null) => void; notebook?: string }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [ai, setAi] = useState<AiSettings | null>(null);
  const [key, setKey] = useState("");
  const [secretName, setSecretName] = useState("");
  const [secretValue, setSecretValue] = useState("");
  const [message, setMessage] = useState("");

  const load = () =>
    api.settings().then((s) => {
      setSettings(s);
      setAi(s.ai);
    }, (e) => setMessage(problemText(e)));
  useEffect(() => void load(), []);

  const saveAi = async (event: Event) => {
    event.preventDefault();
    try {
      await api.saveAi(ai!, key || undefined);
      setKey("");
      await load();
      setMessage("Saved.");
    } catch (e) {
      setMessage(problemText(e));
    }
  };
  const addSecret = async (event: Event) => {
    event.preventDefault();
    try {
      await api.putSecret(secretName, secretValue);
      setSecretName("");
      setSecretValue("");
      await load();
    } catch (e) {
      setMessage(problemText(e));
    }
  };
  const field = (name: keyof AiSettings) => (e: Event) => setAi({ ...ai!, [name]: (e.target as HTMLInputElement).value });

  return html`
    <div class="overlay" role="dialog" aria-label="Settings">
      <div class="panel">
        <h2>Settings</h2>
        ${message && html`<p class="muted">${message}</p>`}
        ${ai && html`<form onSubmit=${saveAi}>
          <h3>AI provider</h3>
          <p class="muted">${settings?.ai_key_set
            ? "A key is set. Paste a new one to replace it."
            : "No key yet: AI help stays off until you paste one (OpenAI, Anthropic, or any OpenAI-compatible server such as Ollama)."}</p>
          <label>Provider <select value=${ai.provider} onChange=${(e: Event) => {
            const provider = (e.target as HTMLSelectElement).value as AiSettings["provider"];
            setAi({ ...ai, provider, base_url: DEFAULT_URL[provider] });
          }}>
            <option value="openai">OpenAI-compatible</option>
            <option value="anthropic">Anthropic</option>
          </select></label>
          <label>Base URL <input value=${ai.base_url} onInput=${field("base_url")} /></label>
          <label>Model <input value=${ai.model} onInput=${field("model")} /></label>
          <label>API key <input type="password" autocomplete="off" value=${key} onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)} /></label>
          <button type="submit">Save</button>
        </form>`}
        <h3>Secrets</h3>
        <p class="muted">Cells get them as environment variables (process.env.NAME). Values are encrypted and never shown again. A secret linked to notebooks goes only to those.</p>
        <ul>
          ${settings?.secrets.map((s) => {
            const linked = notebook !== undefined && s.notebooks.includes(notebook);
            return html`<li key=${s.name}><code>${s.name}</code>
              <span class="muted">${s.notebooks.length === 0 ? "every notebook" : `only ${s.notebooks.join(", ")}`}</span>
              ${notebook !== undefined && html`<button class="quiet" aria-label=${`${linked ? "Unlink" : "Link"} ${s.name}`}
                onClick=${() => api.linkSecret(s.name, notebook, !linked).then(load, (e) => setMessage(problemText(e)))}>
                ${linked ? "Unlink from this notebook" : "Only this notebook"}</button>`}
              <button class="quiet" onClick=${() => api.deleteSecret(s.name).then(load)}>Delete</button></li>`;
          })}
        </ul>
        <form class="row" onSubmit=${addSecret}>
          <input aria-label="Secret name" placeholder="NAME" value=${secretName} onInput=${(e: Event) => setSecretName((e.target as HTMLInputElement).value)} />
          <input aria-label="Secret value" type="password" autocomplete="off" placeholder="value" value=${secretValue}
            onInput=${(e: Event) => setSecretValue((e.target as HTMLInputElement).value)} />
          <button type="submit">Add</button>
        </form>
        <button onClick=${() => onClose(settings)}>Close</button>
      </div>
    </div>
  `;
}
