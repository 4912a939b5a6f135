import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dict, hasKey, lang, onLangChange, setLang, t, tx } from "./i18n";

afterEach(() => setLang("en"));

describe("the dictionary", () => {
  const entries = Object.entries(dict) as Array<[string, { en: string; zh: string }]>;

  it("has an English and a Chinese text for every key", () => {
    expect(entries.length).toBeGreaterThan(50);
    for (const [key, e] of entries) {
      expect(e.en.trim(), `${key} en`).not.toBe("");
      expect(e.zh.trim(), `${key} zh`).not.toBe("");
    }
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, e] of entries) expect(names(e.zh), key).toEqual(names(e.en));
  });

  it("has a Chinese text that is a translation, not the English copied (apart from formats)", () => {
    const same = entries.filter(([, e]) => e.en === e.zh && /[a-z]{3,}/.test(e.en.replace(/\{\w+\}/g, "")));
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it("has every key the source code asks for", () => {
    const src = join(__dirname);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) {
          if (n !== "bindings" && n !== "test") walk(p);
        } else if (/\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n)) files.push(p);
      }
    };
    walk(src);
    const used = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, "utf8").matchAll(/\bt\(\s*"([a-zA-Z0-9_.-]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(40);
    const missing = [...used].filter((k) => !hasKey(k));
    expect(missing).toEqual([]);
  });

  it("has the words for every role, form status and error code the services send", () => {
    for (const r of ["nurse", "investigator", "monitor", "data-manager", "admin"]) expect(hasKey(`role.${r}`)).toBe(true);
    for (const s of ["not_started", "in_progress", "complete"]) expect(hasKey(`status.${s}`)).toBe(true);
    for (const c of ["validation", "reason_required", "unauthenticated", "session_locked", "forbidden", "not_found", "invalid_input", "io", "integrity", "refused", "busy", "internal"])
      expect(hasKey(`error.${c}`)).toBe(true);
  });
});

describe("t and tx", () => {
  it("fill placeholders in the current language", () => {
    expect(t("subjects.enrol.done", { id: "S01-007" })).toBe("Subject S01-007 enrolled.");
    setLang("zh");
    expect(lang()).toBe("zh");
    expect(t("subjects.enrol.done", { id: "S01-007" })).toBe("受试者 S01-007 已入组。");
  });

  it("pick a definition text in the current language, falling back to the other", () => {
    expect(tx({ en: "Sex", zh: "性别" })).toBe("Sex");
    setLang("zh");
    expect(tx({ en: "Sex", zh: "性别" })).toBe("性别");
    expect(tx({ en: "Only English", zh: "" })).toBe("Only English");
    expect(tx(null)).toBe("");
  });

  it("tells listeners, remembers the choice and sets the document language", () => {
    const seen: string[] = [];
    const off = onLangChange((l) => seen.push(l));
    setLang("zh");
    setLang("en");
    off();
    setLang("zh");
    expect(seen).toEqual(["zh", "en"]);
    expect(localStorage.getItem("ecrf.lang")).toBe("zh");
    expect(document.documentElement.lang).toBe("zh-CN");
  });
});
