-- What the comparison of a reconciled component set aside or could not
-- compare (a red seal, blue pen, a turned page, a QR code not compared), as
-- a JSON array of note kinds, so that a component whose copies match still
-- says so: notes were kept only on findings, and a match has none.
ALTER TABLE reconciliations ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
