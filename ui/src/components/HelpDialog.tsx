// The keyboard help (F1 anywhere, or ? outside a text field): every key the app understands.

import { Key, t } from "../i18n";
import { Modal } from "./Modal";

type Row = [keys: string | Key, what: Key];

/** Keys as a person reads them; a dictionary key for words that differ by language. */
const SECTIONS: Array<[Key, Row[]]> = [
  [
    "help.sec.everywhere",
    [
      ["F1 / ?", "help.f1"],
      ["Alt+←", "help.back"],
      ["Tab / Shift+Tab", "help.tab"],
    ],
  ],
  [
    "help.sec.lists",
    [
      ["help.key.arrows", "help.lists.move"],
      ["help.key.enter", "help.lists.open"],
      ["help.key.allArrows", "help.casebook.arrows"],
      ["help.key.letters", "help.casebook.type"],
      ["help.key.down", "help.casebook.new"],
    ],
  ],
  [
    "help.sec.form",
    [
      ["help.key.enter", "help.form.enter"],
      ["help.key.shiftEnter", "help.form.shiftEnter"],
      ["A–Z / 1–9 / Delete", "help.form.choice"],
      ["2024-03-05", "help.form.date"],
      ["help.key.ctrlEnter", "help.form.addRow"],
      ["Ctrl+Delete", "help.form.removeRow"],
      ["Alt+H", "help.form.history"],
      ["Ctrl+S", "help.form.save"],
      ["Ctrl+Shift+S", "help.form.complete"],
    ],
  ],
  [
    "help.sec.dialogs",
    [
      ["help.key.enter", "help.dialogs.enter"],
      ["Esc", "help.dialogs.escape"],
    ],
  ],
];

function keysText(k: string): string {
  return k.startsWith("help.key.") ? t(k as Key) : k;
}

export function HelpDialog(p: { onClose: () => void }) {
  return (
    <Modal id="help-dialog" title={t("help.title")} onCancel={p.onClose} wide initialFocus="#help-close">
      <p class="muted">{t("help.intro")}</p>
      <div class="help-grid">
        {SECTIONS.map(([title, rows]) => (
          <section key={title} class="help-sec">
            <h3>{t(title)}</h3>
            <dl class="keys">
              {rows.map(([k, what]) => (
                <div class="key-row" key={`${k}-${what}`}>
                  <dt>
                    {keysText(k)
                      .split(" / ")
                      .map((part, i) => (
                        <span key={i}>
                          {i > 0 && " / "}
                          <kbd>{part}</kbd>
                        </span>
                      ))}
                  </dt>
                  <dd>{t(what)}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <div class="modal-actions">
        <button id="help-close" type="button" class="primary" onClick={p.onClose}>
          {t("common.close")}
        </button>
      </div>
    </Modal>
  );
}
