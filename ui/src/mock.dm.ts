// Dev-mock answers (`?mock`) for the data manager's commands: queries, source data
// verification, locks, reports and exports. Installed by mock.ts.

export type DmMockContext = {
  central: boolean;
  /** The mock's subject ids. */
  subjects: () => string[];
};

export function dmHandlers(_ctx: DmMockContext): Record<string, (a: Record<string, unknown>) => unknown> {
  return {};
}
