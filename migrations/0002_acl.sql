-- Access control: base rights for owner / group / other as bit masks (Fireman's C API bits: permission 1,
-- remove 2, read 4, write 8, list 16, execute 32, getMetadata 64, setMetadata 128) and an ordered ACL kept on
-- the entry itself, so the rows a bulk operation already reads carry everything needed to decide access.

ALTER TABLE entries
  ADD COLUMN perm_owner smallint NOT NULL DEFAULT 255 CHECK (perm_owner BETWEEN 0 AND 255),
  ADD COLUMN perm_group smallint NOT NULL DEFAULT 20 CHECK (perm_group BETWEEN 0 AND 255),
  ADD COLUMN perm_other smallint NOT NULL DEFAULT 0 CHECK (perm_other BETWEEN 0 AND 255),
  ADD COLUMN acl jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(acl) = 'array');

-- The root: everyone may traverse and list it (read, list, execute, getMetadata = 4+16+32+64).
UPDATE entries SET perm_group = 116, perm_other = 116 WHERE lfn = '/';
