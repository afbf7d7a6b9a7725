-- The SHA-512 of each stored file, once known (NULL until then). A BagIt
-- package lists both SHA-256 and SHA-512; the store names files by SHA-256
-- only. The SHA-512 is recorded from bytes whose SHA-256 matched the file's
-- name: on its first fixity pass, when a bag brings the file in, or when an
-- export had to compute it. Exports then read each file once for SHA-256
-- (which proves the copy is the original) and take the SHA-512 from here.
ALTER TABLE files ADD COLUMN sha512 TEXT;
