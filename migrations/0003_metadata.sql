-- Metadata: schemas of typed attributes, and attribute values on entries (files and directories).
-- (0002 is the ACL migration; the migrator applies files in number order and a gap is fine.)
--
-- Values live in ONE table with one typed column per attribute type, exactly one of them set per row.
-- Why not one table per type: one row per (entry, attribute) keeps "an entry has at most one value of
-- an attribute" a primary key, and get/list/clear/cascade stay one statement each. Each type gets a
-- partial b-tree index (attribute_id, v_<type>, entry_id) WHERE v_<type> IS NOT NULL: it holds only
-- that type's rows, so it is as small as a per-type table's index would be; the planner proves that a
-- strict comparison such as `v_int > $1` implies `v_int IS NOT NULL` and picks it; and carrying
-- entry_id in the key makes `attribute = value`, ranges and LIKE prefixes index-only scans that yield
-- entry ids without visiting the heap. The primary key (entry_id, attribute_id) serves reads by entry.

CREATE TABLE metadata_schemas (
  id    uuid PRIMARY KEY,
  name  text COLLATE "C" NOT NULL,
  ctime timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT metadata_schemas_name_key UNIQUE (name)
);

CREATE TABLE metadata_attributes (
  id        uuid PRIMARY KEY,
  -- NULL: a free-form attribute, made on first use when the site allows it; always a string.
  schema_id uuid REFERENCES metadata_schemas (id) ON DELETE CASCADE,
  -- Unique across schemas, so calls and queries name an attribute without its schema (as Fireman does).
  name      text COLLATE "C" NOT NULL,
  type      text NOT NULL CHECK (type IN ('string', 'int', 'float', 'bool', 'timestamp')),
  ctime     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT metadata_attributes_name_key UNIQUE (name),
  CONSTRAINT metadata_attributes_free_form_is_string CHECK (schema_id IS NOT NULL OR type = 'string')
);

CREATE INDEX metadata_attributes_schema ON metadata_attributes (schema_id);

CREATE TABLE metadata_values (
  entry_id     uuid NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  attribute_id uuid NOT NULL REFERENCES metadata_attributes (id) ON DELETE CASCADE,
  -- COLLATE "C": byte order, so string ranges and LIKE 'prefix%' are b-tree ranges.
  v_text       text COLLATE "C",
  v_int        bigint,
  v_float      double precision,
  v_bool       boolean,
  v_time       timestamptz,
  PRIMARY KEY (entry_id, attribute_id),
  CONSTRAINT metadata_values_one_value CHECK (num_nonnulls(v_text, v_int, v_float, v_bool, v_time) = 1)
);

CREATE INDEX metadata_values_text ON metadata_values (attribute_id, v_text, entry_id) WHERE v_text IS NOT NULL;
CREATE INDEX metadata_values_int ON metadata_values (attribute_id, v_int, entry_id) WHERE v_int IS NOT NULL;
CREATE INDEX metadata_values_float ON metadata_values (attribute_id, v_float, entry_id) WHERE v_float IS NOT NULL;
CREATE INDEX metadata_values_bool ON metadata_values (attribute_id, v_bool, entry_id) WHERE v_bool IS NOT NULL;
CREATE INDEX metadata_values_time ON metadata_values (attribute_id, v_time, entry_id) WHERE v_time IS NOT NULL;
