-- Complaints filed before the city (0008) and the province (0011) had
-- columns of their own get them from their sealed details, in Go
-- (sqlstore fillPlaces, run in this migration's transaction): from here
-- on no reader decrypts a complaint to learn where it came from.
SELECT 1;
