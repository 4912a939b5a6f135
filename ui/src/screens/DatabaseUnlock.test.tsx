// The passphrase of an encrypted database at start-up: a wrong one is said in words and the
// field is cleared; the right one opens the database.

import { afterEach, describe, expect, it, vi } from "vitest";
import { setLang } from "../i18n";
import { $, Mounted, flush, mount, type } from "../test/util";

const mockApi = { openDatabase: vi.fn() };
vi.mock("../api", async (orig) => ({ ...(await orig<typeof import("../api")>()), api: mockApi }));

const { ApiError } = await import("../api");
const { DatabaseUnlock } = await import("./DatabaseUnlock");

describe("database passphrase", () => {
  let m: Mounted | null = null;
  afterEach(() => {
    m?.unmount();
    m = null;
    vi.clearAllMocks();
    setLang("en");
  });

  it("refuses a wrong passphrase in words and opens with the right one", async () => {
    const opened = vi.fn();
    m = mount(<DatabaseUnlock onOpened={opened} />);
    await flush();
    const form = $(m.root, "form");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(m.root.textContent).toContain("Enter the passphrase.");
    expect(mockApi.openDatabase).not.toHaveBeenCalled();

    mockApi.openDatabase.mockRejectedValueOnce(new ApiError("database_locked", "wrong passphrase: the database could not be opened with it"));
    type($(m.root, "#db-passphrase"), "not it");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(mockApi.openDatabase).toHaveBeenCalledWith("not it");
    expect(m.root.textContent).toContain("wrong passphrase");
    expect(($(m.root, "#db-passphrase") as HTMLInputElement).value).toBe("");
    expect(opened).not.toHaveBeenCalled();

    mockApi.openDatabase.mockResolvedValueOnce({ open: true, path: "/x/site.db" });
    type($(m.root, "#db-passphrase"), "correct horse battery staple");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it("speaks Chinese too", async () => {
    setLang("zh");
    m = mount(<DatabaseUnlock onOpened={() => {}} />);
    await flush();
    expect(m.root.textContent).toContain("数据库口令");
  });
});
