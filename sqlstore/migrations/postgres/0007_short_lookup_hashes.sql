-- Keyed lookup hashes keep 16 of HMAC-SHA-256's 32 bytes (32 hex digits):
-- still far beyond any chance collision among CNICs and phone numbers, and
-- the indexes on them, written at random positions by every insert, are
-- half the size, which is what bulk imports spend their time on.
UPDATE complaints SET cnic_hash = substr(cnic_hash, 1, 32) WHERE length(cnic_hash) > 32;
UPDATE complaints SET phone_hash = substr(phone_hash, 1, 32) WHERE length(phone_hash) > 32;
UPDATE persons SET cnic_hash = substr(cnic_hash, 1, 32) WHERE length(cnic_hash) > 32;
UPDATE persons SET passport_hash = substr(passport_hash, 1, 32) WHERE length(passport_hash) > 32;
