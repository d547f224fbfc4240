-- Local accounts for the embedded default and small sites: users (password and/or certificate DN),
-- groups, memberships and bearer tokens. Only hashes of secrets are stored: scrypt for passwords,
-- SHA-256 for tokens (which are random and long, so a fast hash cannot be brute-forced).

CREATE TABLE users (
  name          text COLLATE "C" PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  -- NULL: no password login (certificate or token only).
  password_hash text,
  -- The certificate DN (slash form) that logs in as this account; its owner DN for what it creates.
  dn            text COLLATE "C" UNIQUE,
  admin         boolean NOT NULL DEFAULT false,
  disabled      boolean NOT NULL DEFAULT false,
  ctime         timestamptz NOT NULL DEFAULT now(),
  mtime         timestamptz NOT NULL DEFAULT now()
);

-- Local group names never start with '/', so a local group can never pose as a VOMS FQAN.
CREATE TABLE groups (
  name  text COLLATE "C" PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  ctime timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_members (
  group_name text COLLATE "C" NOT NULL REFERENCES groups (name) ON DELETE CASCADE,
  user_name  text COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  PRIMARY KEY (group_name, user_name)
);
CREATE INDEX group_members_user ON group_members (user_name);

CREATE TABLE tokens (
  token_hash text PRIMARY KEY,
  user_name  text COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  ctime      timestamptz NOT NULL DEFAULT now(),
  expires    timestamptz NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_name);
