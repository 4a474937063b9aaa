-- The columns the fraud-network rebuild reads from every complaint
-- (sqlstore ReadNetwork), in id order: the rebuild reads this compact
-- index instead of the table, whose rows carry the narrative and the
-- sealed complainant. Ids ascend, so each insert appends to it.
CREATE INDEX complaints_network ON complaints(id, category, city, cnic_hash, phone_hash, loss_paisa, received_at);
