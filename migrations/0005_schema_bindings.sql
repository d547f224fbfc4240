-- Schema bindings: which metadata schemas an entry's attributes come from. They give Fireman's
-- MetadataCatalog.createEntry(item, schema) / removeEntry(item) and FiremanCatalog.associateDirWithSchema
-- a meaning over replicat's namespace, where every entry may carry metadata:
--   * an entry with bindings, or whose parent directory has bindings, may only be given attributes of
--     those schemas (a directory's bindings govern the entries directly in it, as an associated schema);
--   * an entry with no binding on itself or its parent is unrestricted, as before this migration.
-- Bindings follow their entry (moves keep them, removal drops them) and their schema (dropping it drops them).

CREATE TABLE metadata_bindings (
  entry_id  uuid NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  schema_id uuid NOT NULL REFERENCES metadata_schemas (id) ON DELETE CASCADE,
  ctime     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, schema_id)
);

-- Dropping a schema deletes its bindings through this index instead of a scan.
CREATE INDEX metadata_bindings_schema ON metadata_bindings (schema_id);
