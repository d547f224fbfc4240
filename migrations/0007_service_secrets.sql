-- Secrets every instance over this database must share, created once by the first instance to start
-- (core/load-cursor-key.ts). `cursor` seals pagination cursors: a cursor one instance hands out must open on
-- any other. Kept here rather than in each instance's settings so that N instances agree without being told;
-- whoever can read this table can read every entry anyway, so it is no weaker than the data it guards.
CREATE TABLE service_secrets (
  name    text COLLATE "C" PRIMARY KEY,
  secret  bytea NOT NULL CHECK (octet_length(secret) >= 32),
  ctime   timestamptz NOT NULL DEFAULT now()
);
