import { afterEach, describe, expect, it } from "vitest";
import { mainScreens } from "./app";
import type { Action } from "./bindings/Action";
import { setLang, tn } from "./i18n";
import {
  acknowledgedText,
  baseName,
  defaultBundleName,
  fingerprintGroups,
  progressView,
  receivedText,
  refusalText,
  shortFingerprint,
  unknownNodeOf,
  valueText,
} from "./sync";
import { definition } from "./test/fixtures";

afterEach(() => setLang("en"));

const nb = (s: string) => s.replace(/\u202f/g, " ");

describe("sync words", () => {
  it("file names: the site and the local time, .ecrfb", () => {
    const at = new Date(2026, 10, 25, 10, 30);
    expect(defaultBundleName({ role: "site", site: "S01" }, null, at)).toBe("S01-2026-11-25T1030.ecrfb");
    expect(defaultBundleName({ role: "central", site: null }, "S02", at)).toBe("central-to-S02-2026-11-25T1030.ecrfb");
    expect(baseName("C:\\Users\\x\\S01.ecrfb")).toBe("S01.ecrfb");
    expect(baseName("/a/b/S01.ecrfb")).toBe("S01.ecrfb");
  });

  it("fingerprints in blocks of four", () => {
    const fp = "0123456789abcdef".repeat(4);
    expect(fingerprintGroups(fp)).toHaveLength(16);
    expect(shortFingerprint(fp)).toBe("0123 4567 89ab cdef…");
  });

  it("reads the unknown node out of the services' refusal", () => {
    const fp = "a".repeat(64);
    expect(unknownNodeOf(`unknown node 7f3a9c12-5b4e-4d21-8e6f-1a2b3c4d5e6f (central ): check its key fingerprint ${fp} with the sender and import again with --accept-node ${fp}`)).toEqual({
      node: "7f3a9c12-5b4e-4d21-8e6f-1a2b3c4d5e6f",
      role: "central",
      site: null,
      fingerprint: fp,
    });
    expect(unknownNodeOf("bundle signature does not verify")).toBeNull();
    expect(unknownNodeOf(null)).toBeNull();
  });

  it("refusals in words", () => {
    expect(refusalText("node 4f04 was revoked on 2026-11-05T08:45 (laptop stolen): its bundles are no longer accepted")).toBe(
      "It is signed by a computer whose key was revoked: 2026-11-05T08:45 (laptop stolen)",
    );
    expect(refusalText("this bundle was made by this node")).toBe("It was made on this computer.");
    expect(refusalText("the bundle is for study X, this node holds study Y")).toBe("It belongs to another study.");
    setLang("zh");
    expect(refusalText("a site imports bundles from the central node only; this one comes from a site node")).toBe("研究中心只能导入来自中心数据管理的数据包。");
  });

  it("counts: singular, plural, grouped by thousands in each language", () => {
    expect(tn("sync.sum.new", 1)).toBe("1 new change");
    expect(nb(tn("sync.sum.new", 12345))).toBe("12 345 new changes");
    expect(tn("sync.sum.duplicate", 1)).toBe("1 already here");
    setLang("zh");
    expect(tn("sync.sum.new", 12345)).toBe("12,345 条新变更");
  });

  it("what a node received and acknowledged", () => {
    expect(nb(receivedText("1:S01 up to 1234"))).toBe("S01 up to no. 1 234");
    expect(receivedText("2:S01 up to 5")).toBe("S01 (restart 2) up to no. 5");
    expect(acknowledgedText("1:ALL up to 10 of 12")).toBe("study-wide: 10 of 12");
    expect(receivedText("something else")).toBe("something else");
  });

  it("progress over several files", () => {
    const files = ["/a/1.ecrfb", "/a/2.ecrfb", "/a/3.ecrfb", "/a/4.ecrfb"];
    expect(progressView(files, null)).toMatchObject({ index: 1, files: 4, percent: 0, checking: true });
    expect(progressView(files, { file: files[2], done: 50, total: 100 })).toMatchObject({ index: 3, percent: 63, checking: false });
    expect(progressView(files, { file: files[3], done: 100, total: 100 }).percent).toBe(100);
  });

  it("values in conflict in words", () => {
    const ref = { subject: "S01-001", event: "SCR", event_repeat: 1, form: "TEST", form_repeat: 1, group: "MAIN", group_repeat: 1, item: "WEIGHT" };
    expect(valueText(definition, ref, 70.5)).toBe("70.5 kg");
    expect(valueText(definition, ref, 71)).toBe("71.0 kg");
    expect(valueText(definition, ref, { not_done: "scale broken" })).toBe("Not done: scale broken");
    expect(valueText(definition, ref, null)).toBe("(empty)");
    expect(valueText(definition, { ...ref, item: "SMOKER" }, true)).toBe("Yes");
    expect(valueText(definition, { ...ref, group: "VITAL", item: "HR" }, { code: "UNK" })).toBe("UNK – unknown");
    expect(valueText(definition, { ...ref, group: "VITAL", item: "CRP" }, { blq: 0.5 })).toBe("Below LOQ (BLQ) < 0.5");
  });
});

describe("the Sync tab in the main navigation", () => {
  const can = (list: Action[]) => (a: Action) => list.includes(a);
  it("is there for those who move bundles, manage keys or resolve conflicts", () => {
    expect(mainScreens(can(["view_data", "export_bundle"]))).toContain("sync");
    expect(mainScreens(can(["view_data", "manage_node_keys"]))).toContain("sync");
    expect(mainScreens(can(["view_data", "resolve_conflict"]))).toContain("sync");
    expect(mainScreens(can(["view_data", "open_query", "verify_source"]))).not.toContain("sync");
  });
});
