-- The storage element registry: what the broker ranks by and what the mock SRM serves.
--
-- A replica keeps the host of its SURL in replicas.se (written at registration, never rewritten): the
-- registry is matched against replicas when asked (rank, SURL checks), so registering, changing or
-- removing an SE is one small statement and never rewrites millions of replica rows. The rule
-- (core/storage/storage-directory.ts and place-replicas.ts): the SE whose SURL prefix is the longest one
-- the SURL starts with; failing that, the SE whose host is the SURL's host (the first by name when several
-- share one host); failing that, the replica is on an unregistered SE named by its host.

CREATE TABLE storage_elements (
  name       text COLLATE "C" PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  -- Lower case, without port: compared with replicas.se, which holds SURL hosts in that form.
  host       text COLLATE "C" NOT NULL,
  status     text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'readonly', 'offline')),
  -- Tape-backed: reads are staged first (the SRM queues them); the broker may prefer disk.
  nearline   boolean NOT NULL DEFAULT false,
  -- [{"scheme": "https", "turlTemplate": "https://se1.example.org:8443/data{path}"}, ...] in preference order.
  protocols  jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(protocols) = 'array'),
  ctime      timestamptz NOT NULL DEFAULT now(),
  mtime      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX storage_elements_host ON storage_elements (host, name);

-- One row per SURL prefix: a prefix belongs to one SE (the primary key says so), and each carries its own
-- host so that a replica is only ever compared with the prefixes of its host.
CREATE TABLE storage_element_prefixes (
  prefix   text COLLATE "C" PRIMARY KEY,
  se_name  text COLLATE "C" NOT NULL REFERENCES storage_elements (name) ON DELETE CASCADE,
  host     text COLLATE "C" NOT NULL,
  position smallint NOT NULL
);

CREATE INDEX storage_element_prefixes_se ON storage_element_prefixes (se_name, position);
CREATE INDEX storage_element_prefixes_host ON storage_element_prefixes (host);
