// Strings of the data manager's and monitor's screens: queries, source data verification,
// locks, endpoint and PK reports with their plots, exports. Merged into `dict` by i18n.ts.

import type { Entry } from "./i18n";

export const dmDict = {
  "dm.home": { en: "Data management", zh: "数据管理" },
} satisfies Record<string, Entry>;
