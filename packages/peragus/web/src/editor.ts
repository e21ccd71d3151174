// CodeMirror 6 with what every cell needs at once. The language features (tsserver's lint,
// completion, hover and go-to-definition) load later, into the `features` compartment, from
// their own chunk (language.ts), so the first page stays small.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection, type KeyBinding } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

export type EditorOptions = {
  doc: string;
  language: "typescript" | "javascript" | "json" | "text";
  onChange: (source: string) => void;
  onRun?: () => void;
  onFormat?: () => void;
  onMove?: (delta: -1 | 1) => void;
};

export const features = new Compartment();

export function createEditor(parent: HTMLElement, options: EditorOptions): EditorView {
  const language: Extension =
    options.language === "json"
      ? json()
      : options.language === "text"
        ? []
        : javascript({ typescript: options.language === "typescript" });
  const keys: KeyBinding[] = [];
  const bind = (key: string, action: (() => void) | undefined) => {
    if (action) keys.push({ key, run: () => (action(), true), preventDefault: true });
  };
  bind("Shift-Enter", options.onRun);
  bind("Mod-Enter", options.onRun);
  bind("Shift-Alt-f", options.onFormat);
  bind("Alt-ArrowUp", options.onMove && (() => options.onMove!(-1)));
  bind("Alt-ArrowDown", options.onMove && (() => options.onMove!(1)));
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
        // Token classes (tok-keyword, ...) coloured by style.css, so one stylesheet serves the
        // light and the dark theme.
        syntaxHighlighting(classHighlighter),
        keymap.of([...keys, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        language,
        features.of([]),
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
