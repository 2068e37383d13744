-- Schema version 5: a bracketed conversion ("2,951 yuan (around $444)") is a figure of its
-- own, linked to the amount it restates by that figure's `start_char` in the same article,
-- so a view can count each reported amount once and still show it in both currencies.
-- Figures annotated before this version have no conversions (they were skipped); NULL
-- here means "not a conversion".
ALTER TABLE figures ADD COLUMN converted_from INTEGER;
