import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { setLang } from "./i18n";
import { errorText, formKeysText, setMessagesDefinition } from "./messages";
import { definition } from "./test/fixtures";

afterEach(() => {
  setMessagesDefinition(null);
  setLang("en");
});

describe("messages in words", () => {
  it("form and item keys become visit, form and item names", () => {
    expect(formKeysText("2 form(s) not complete: S01-001/SCR.1/TEST.1, FU.2/TEST.1", definition)).toBe(
      "2 form(s) not complete: S01-001 Screening · Test visit, Follow-up #2 · Test visit",
    );
    expect(formKeysText("S01-001/SCR.1/TEST.1/CM.2/CMTRT is locked", definition)).toBe("S01-001 Screening · Test visit · Medication (row 2) is locked");
    expect(formKeysText("X.1/Y.1 stays", definition)).toBe("X.1/Y.1 stays");
    setLang("zh");
    expect(formKeysText("SCR.1/TEST.1", definition)).toBe("筛选期 · 测试访视");
  });

  it("an error says its kind, then the services' message with names for keys", () => {
    setMessagesDefinition(definition);
    expect(errorText(new ApiError("locked", "S01-001/SCR.1/TEST.1 is locked by dm1"))).toBe(
      "The data are locked by the data manager; nothing was changed: S01-001 Screening · Test visit is locked by dm1",
    );
    expect(errorText(new ApiError("nonsense", ""))).toBe("Something went wrong in the application.");
  });
});
