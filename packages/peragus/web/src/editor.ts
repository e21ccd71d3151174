// CodeMirror 6 with only what a notebook cell needs, to keep the page small.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";

export type EditorOptions = {
  doc: string;
  language: "typescript" | "javascript" | "json";
  onChange: (source: string) => void;
  onRun?: () => void;
};

export function createEditor(parent: HTMLElement, options: EditorOptions): EditorView {
  const language: Extension =
    options.language === "json" ? json() : javascript({ typescript: options.language === "typescript" });
  const run = options.onRun
    ? [{ key: "Shift-Enter", run: () => (options.onRun!(), true) }, { key: "Mod-Enter", run: () => (options.onRun!(), true) }]
    : [];
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        keymap.of([...run, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        language,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}

export function replaceDoc(view: EditorView, source: string): void {
  if (view.state.doc.toString() !== source) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
  }
}
