-- The namespace (directories, files, symlinks) and the replicas of files.
-- Identifiers are UUIDs made by the service: no sequence hot spot, and the schema fits distributed
-- PostgreSQL-compatible engines later. lfn and name use COLLATE "C" so that prefix ranges and keyset
-- pagination run on the b-tree in byte order.

CREATE TABLE entries (
  id            uuid PRIMARY KEY,
  parent_id     uuid REFERENCES entries (id),
  lfn           text COLLATE "C" NOT NULL,
  name          text COLLATE "C" NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('directory', 'file', 'symlink')),
  guid          uuid,
  target        text COLLATE "C",
  size          bigint CHECK (size >= 0),
  checksum_type text CHECK (checksum_type IN ('adler32', 'md5')),
  checksum      text,
  status        smallint NOT NULL DEFAULT 0,
  owner_dn      text NOT NULL,
  group_name    text NOT NULL DEFAULT '',
  ctime         timestamptz NOT NULL DEFAULT now(),
  mtime         timestamptz NOT NULL DEFAULT now(),
  validity      timestamptz,
  CONSTRAINT entries_lfn_key UNIQUE (lfn),
  CONSTRAINT entries_guid_key UNIQUE (guid),
  CONSTRAINT entries_file_has_guid CHECK ((kind = 'file') = (guid IS NOT NULL)),
  CONSTRAINT entries_symlink_has_target CHECK ((kind = 'symlink') = (target IS NOT NULL)),
  CONSTRAINT entries_checksum_pair CHECK ((checksum_type IS NULL) = (checksum IS NULL)),
  CONSTRAINT entries_only_root_is_orphan CHECK ((parent_id IS NULL) = (lfn = '/'))
);

-- Directory listings: keyset pagination by name within a parent; also makes (parent, name) unique.
CREATE UNIQUE INDEX entries_parent_name ON entries (parent_id, name);

INSERT INTO entries (id, parent_id, lfn, name, kind, owner_dn, group_name)
VALUES ('00000000-0000-0000-0000-000000000000', NULL, '/', '', 'directory', '', '');

CREATE TABLE replicas (
  guid      uuid NOT NULL REFERENCES entries (guid) ON DELETE CASCADE,
  -- A SURL names one physical copy: it can belong to one file only.
  surl      text COLLATE "C" NOT NULL PRIMARY KEY,
  se        text COLLATE "C" NOT NULL,
  status    text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'unavailable')),
  is_master boolean NOT NULL DEFAULT false,
  ctime     timestamptz NOT NULL DEFAULT now(),
  mtime     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX replicas_guid ON replicas (guid);
-- At most one master replica per file, enforced by the database rather than by hope.
CREATE UNIQUE INDEX replicas_one_master ON replicas (guid) WHERE is_master;
-- Per-SE listings and the StorageIndex.
CREATE INDEX replicas_se_surl ON replicas (se, surl);
