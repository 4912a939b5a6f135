-- How many heads (versions nobody wrote on) each item has: one is the common case, shown at
-- once; more is a conflict, resolved by the merge policy. Rebuilt with the projections.
ALTER TABLE item_values ADD COLUMN heads INTEGER NOT NULL DEFAULT 1;
