-- Tokens get a public id (to list and revoke them one by one; never the secret) and an optional label.
-- The id is the first 128 bits of the token's SHA-256: nothing of the token can be recovered from it.
ALTER TABLE tokens ADD COLUMN id text COLLATE "C";
UPDATE tokens SET id = left(token_hash, 32);
ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX tokens_id ON tokens (id);
ALTER TABLE tokens ADD COLUMN label text CHECK (char_length(label) <= 200);
